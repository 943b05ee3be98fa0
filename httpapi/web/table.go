package web

import "sort"

// sortTable orders constituencies by signatures, most first, then by name:
// the meaningful order without JavaScript.
func sortTable(t []mapHex) {
	sort.SliceStable(t, func(i, j int) bool {
		if t[i].Count != t[j].Count {
			return t[i].Count > t[j].Count
		}
		return t[i].Name < t[j].Name
	})
}
