package demo

import (
	"time"

	"github.com/petitionledger/petitionledger/domain"
)

// The seed petition: "Hold a public inquiry into Russian interference in UK
// politics". Its texts (background, response, business) were written for
// this demo; they paraphrase public events and copy no official text.
const (
	seedAction     = "Hold a public inquiry into Russian interference in UK politics"
	seedBackground = "The Intelligence and Security Committee's Russia report said the Government had not properly " +
		"looked for evidence of Russian interference in our democracy. An independent public inquiry should find " +
		"out what happened and recommend how to protect our elections."
	seedDetails = "A public inquiry could take evidence in public and under oath, look at donations, lobbying and " +
		"online disinformation, and report on whether our laws and agencies are equipped to stop hostile states " +
		"from influencing UK politics. Other democracies have examined interference in their elections openly; " +
		"we should do the same."
	seedCounted = 44_150 // validated signatures when it closed
)

// seedResponse is the Cabinet Office's response of 21 March 2022 as written
// for the demo.
var seedResponse = domain.GovernmentResponse{
	Summary: "The Government does not plan a public inquiry. It takes foreign interference seriously and is " +
		"strengthening the law through new national security legislation.",
	Details: "Protecting the UK's democratic processes from interference by hostile states is a priority for " +
		"the Government.\n\n" +
		"The Government responded to the Intelligence and Security Committee's Russia report when it was " +
		"published and set out the steps it is taking. The security and intelligence agencies continuously " +
		"assess threats to the UK, including to our elections, and the Defending Democracy programme brings " +
		"together work across government to protect elections, tackle disinformation and support the " +
		"security of candidates and officials.\n\n" +
		"The Government does not believe that a public inquiry is the right way to address these issues. Much " +
		"of the relevant material is highly sensitive, and it is already scrutinised by the Intelligence and " +
		"Security Committee, which has access to classified information.\n\n" +
		"Instead, the Government is legislating. New national security legislation will give the agencies and " +
		"law enforcement modern powers to deter, detect and disrupt state threats, including a new offence of " +
		"foreign interference and a scheme requiring people acting for foreign powers to register their " +
		"activities. The Elections Bill will also tighten the rules on foreign money in UK elections.\n\n" +
		"Cabinet Office",
	RespondedOn: "2022-03-21",
	Department: domain.Department{Acronym: "CO", Name: "Cabinet Office",
		URL: "https://www.gov.uk/government/organisations/cabinet-office"},
}

// seedBusiness records the Westminster Hall debate of 25 May 2022.
var seedBusiness = domain.OtherBusiness{
	Subject: "Westminster Hall debate on foreign lobbying in the UK",
	Body: "On 25 May 2022 MPs debated foreign lobbying in the UK in Westminster Hall. The debate covered " +
		"issues raised by this petition, including the registration of people acting for foreign states and " +
		"the Government's national security legislation.\n\n" +
		"Read the transcript: https://hansard.parliament.uk/commons/2022-05-25/debates/" +
		"43ACFEE4-4FE9-48B6-A94A-C607BDD95F0D/ForeignLobbying\n" +
		"Watch the debate: https://parliamentlive.tv/Commons",
	OccurredOn: "2022-05-25",
}

// seedPetition plays the seed petition: created in September 2021,
// published on 5 October 2021, answered by the Cabinet Office on 21 March
// 2022, closed at its six-month deadline (5 April 2022) with 44,150
// counted signatures, then the Westminster Hall debate of 25 May 2022.
func seedPetition(g *generator, id int64) (Summary, error) {
	s := g.newPetition(id)
	created := utc(2021, 9, 20, 19, 42)
	published := utc(2021, 10, 5, 10, 0)
	sponsors := 5
	plans, err := s.launch(petitionText{seedAction, seedBackground, seedDetails}, created, published, sponsors,
		func(closes time.Time) crowdSpec { // closes 2022-04-05 23:00 UTC (midnight, BST)
			return crowdSpec{
				counted: seedCounted - 1 - sponsors, neverConfirmed: 540,
				abroadShare: 0.031, unknownShare: 0.004, householdShare: 0.01,
				waves: []wave{
					{from: published, to: utc(2021, 10, 19, 0, 0), share: 0.38, front: true},
					{from: utc(2021, 10, 19, 0, 0), to: utc(2022, 2, 24, 0, 0), share: 0.17},
					{from: utc(2022, 2, 24, 6, 0), to: utc(2022, 3, 21, 0, 0), share: 0.33, front: true},
					{from: utc(2022, 3, 21, 0, 0), to: closes, share: 0.12},
				},
				end: closes, validateBy: closes.Add(g.cfg.ValidationGrace - time.Minute), ipBase: 1_000_000,
			}
		})
	if err != nil {
		return Summary{}, err
	}
	if err := s.play(plans, false); err != nil {
		return Summary{}, err
	}
	if err := s.respond(seedResponse, utc(2022, 3, 21, 16, 5)); err != nil {
		return Summary{}, err
	}
	if err := s.closeAtDeadline(); err != nil {
		return Summary{}, err
	}
	if err := s.business(seedBusiness, utc(2022, 5, 27, 10, 30)); err != nil {
		return Summary{}, err
	}
	return s.summary(), nil
}

// utc is a UTC instant to the minute.
func utc(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}
