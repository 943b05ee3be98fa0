package demo

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/domain/geo"
)

// Invented signers: common UK given names and surnames, addresses on the
// reserved example domains (RFC 2606), so no real person or mailbox is named.
var (
	givenNames = []string{"Olivia", "Amelia", "Isla", "Ava", "Mia", "Grace", "Freya", "Lily", "Sophie", "Emily",
		"Chloe", "Ruby", "Evie", "Ella", "Aisha", "Priya", "Siobhan", "Catrin", "Morag", "Niamh",
		"Oliver", "George", "Noah", "Arthur", "Harry", "Leo", "Jack", "Charlie", "Oscar", "Thomas",
		"James", "William", "Henry", "Mohammed", "Arjun", "Rhys", "Dylan", "Callum", "Ewan", "Ciaran"}
	familyNames = []string{"Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
		"Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green",
		"Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill",
		"Khan", "Campbell", "Stewart", "MacDonald", "Murray", "Kelly", "O'Neill", "Morgan", "Begum", "Ahmed"}
	emailDomains = []string{"example.com", "example.org", "example.net", "mail.example.com", "post.example.org"}
)

// abroad lists the countries demo signers abroad live in, with weights.
var abroad = []struct {
	code   string
	weight float64
}{
	{"US", 24}, {"FR", 12}, {"ES", 11}, {"DE", 9}, {"IE", 9}, {"AU", 8}, {"CA", 7},
	{"NL", 6}, {"IT", 4}, {"CH", 3}, {"SE", 3}, {"PT", 2}, {"BE", 2},
}

// person is one invented signer.
type person struct {
	name, email string
}

// newPerson invents signer number n of a petition.
func newPerson(r *rng, n int) person {
	given, family := givenNames[r.intn(len(givenNames))], familyNames[r.intn(len(familyNames))]
	local := strings.ToLower(given + "." + strings.ReplaceAll(family, "'", ""))
	return person{name: given + " " + family,
		email: local + strconv.Itoa(n) + "@" + emailDomains[r.intn(len(emailDomains))]}
}

// householdMember invents a second person at the same address and email.
func householdMember(r *rng, first person) person {
	family := first.name[strings.LastIndexByte(first.name, ' ')+1:]
	for {
		given := givenNames[r.intn(len(givenNames))]
		if name := given + " " + family; name != first.name {
			return person{name: name, email: first.email}
		}
	}
}

// ipFor returns a public-looking IPv4 address, distinct for each n < 15×2²⁴
// (n × an odd multiplier coprime to the range, modulo the range, is a
// bijection), so ordinary demo signers never trip the rate limits.
func ipFor(n int) string {
	const span = 15 << 24 // 81.0.0.0 – 95.255.255.255
	v := uint32(81<<24) + uint32((uint64(n)*2654435761+12345)%span)
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}).String()
}

// spaced writes a normalised postcode as people type it: with a space, and
// now and then in lower case.
func spaced(r *rng, pc string) string {
	s := pc[:len(pc)-3] + " " + pc[len(pc)-3:]
	if r.chance(0.1) {
		s = strings.ToLower(s)
	}
	return s
}

// postcodeIn picks a real postcode of constituency ons.
func postcodeIn(r *rng, g *geo.Data, ons string) (string, error) {
	n := g.PostcodeCount(ons)
	pc, ok := g.NthPostcode(ons, r.intn(max(n, 1)))
	if !ok {
		return "", fmt.Errorf("no postcode in constituency %s", ons)
	}
	return spaced(r, pc), nil
}

// unknownPostcode invents a well-formed Northern Ireland postcode that the
// table does not hold (it covers Northern Ireland only through one example
// postcode per constituency), so it resolves to geo.UnknownConstituency.
func unknownPostcode(r *rng, g *geo.Data) string {
	const units = "ABDEFGHJLNPQRSTUWXYZ"
	for {
		pc := fmt.Sprintf("BT%d%d%c%c", 1+r.intn(49), r.intn(10), units[r.intn(len(units))], units[r.intn(len(units))])
		if _, ok := g.LookupPostcode(pc); !ok {
			return spaced(r, pc)
		}
	}
}

// signerInput assembles what the person types.
func signerInput(p person, country, postcode, ip string, notify bool) domain.SignerInput {
	return domain.SignerInput{Name: p.name, Email: p.email, Country: country, Postcode: postcode, IP: ip, NotifyByEmail: notify}
}
