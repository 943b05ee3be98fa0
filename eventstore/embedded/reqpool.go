package embedded

import "sync"

// Requests are recycled: an append allocates neither its request nor its
// done channel. The channel has room for one signal, so the writer never
// blocks on it; a request goes back to the pool only after its caller took
// the outcome (one whose caller gave up on its context is left to the
// garbage collector, since the writer may still signal it).
var requestPool = sync.Pool{New: func() any {
	return &request{done: make(chan struct{}, 1)}
}}

func getRequest() *request { return requestPool.Get().(*request) }

// putRequest recycles r, dropping its references to the caller's data.
func putRequest(r *request) {
	done := r.done
	*r = request{done: done}
	requestPool.Put(r)
}

// ctypesFor returns r's content-type codes slice with room for n events,
// inline for small appends.
func (r *request) ctypesFor(n int) []uint8 {
	if n <= len(r.ctypesBuf) {
		return r.ctypesBuf[:n]
	}
	return make([]uint8, n)
}
