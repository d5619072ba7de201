"""The coded values and value mixes the generator uses, each checked against the code-list seed.

Weights are rough shapes of an English council's caseload, not published figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from asc_warehouse.sample_data.codes import BLANK, Choice, CodeLists

ACCOMMODATION = "Accommodation Status"
ASSESSMENT_TYPE = "Assessment Type"
CLIENT_FUNDING = "Client Funding Status"
CLIENT_TYPE = "Client Type"
COMPONENT = "Service Component"
COST_FREQUENCY = "Cost Frequency (Unit Type)"
DELIVERY = "Delivery Mechanism"
EMPLOYMENT = "Employment Status"
ETHNICITY = "Ethnicity"
EVENT_TYPE = "Event Type"
GENDER = "Gender"
HAS_CARER = "Has Unpaid Carer"
METHOD_OF_REVIEW = "Method of Review"
OUTCOME = "Event Outcome"
PSR = "Primary Support Reason"
REVIEW_REASON = "Review Reason"
ROUTE = "Request: Route of Access"
SERVICE_TYPE = "Service Type"


@dataclass(frozen=True, slots=True)
class EventTypes:
    request: str
    assessment: str
    service: str
    review: str


@dataclass(frozen=True, slots=True)
class ServiceTypes:
    st_max: str
    ongoing_low_level: str
    other_short_term: str
    community: str
    residential: str
    nursing: str
    prison: str
    carer_direct: str
    carer_involving_cared_for: str


@dataclass(frozen=True, slots=True)
class Components:
    reablement: str
    short_term_residential: str
    short_term_nursing: str
    long_term_residential: str
    long_term_nursing: str
    home_support: str
    day_support: str
    meals: str
    transport: str
    equipment: str
    direct_payment: str
    shared_lives: str
    supported_living: str
    extra_care: str
    other_long_term: str
    carer_respite: str
    carer_sitting: str
    carer_universal: str
    other_carer_support: str


@dataclass(frozen=True, slots=True)
class Delivery:
    direct_payment: str
    managed_budget: str
    commissioned: str


@dataclass(frozen=True, slots=True)
class Outcomes:
    to_reablement: str
    to_assessment: str
    to_services: str
    continuation: str
    admitted_to_hospital: str
    deceased: str
    ended_as_planned: str
    ended_other: str
    information_and_advice: str
    request_nfa: Choice
    assessment_nfa: Choice
    reablement_end: Choice
    long_term_exit: Choice


@dataclass(frozen=True, slots=True)
class Frequencies:
    hourly: str
    weekly: str
    per_session: str
    one_off: str


@dataclass(frozen=True, slots=True)
class PersonMixes:
    gender: Choice
    female: str
    male: str
    ethnicity: Choice
    psr_working_age: Choice
    psr_older: Choice
    learning_disability: str
    carer_psr: str
    accommodation_home: Choice
    accommodation_learning_disability: Choice
    care_home: str
    nursing_home: str
    accommodation_care_home: Choice
    accommodation_nursing_home: Choice
    prison_accommodation: str
    employment_older: Choice
    employment_working_age: Choice
    funding_community: Choice
    funding_care_home: Choice
    has_carer: Choice
    has_carer_yes: str
    service_user: str
    unpaid_carer: str


@dataclass(frozen=True, slots=True)
class ActivityMixes:
    route_hospital_led: Choice
    route_community: Choice
    route_transition: str
    route_community_only: str
    short_term_assessment: str
    long_term_assessment: str
    method: Choice
    planned_review: str
    unplanned_review: Choice
    unplanned_hospital_review: str
    short_term_review: str


@dataclass(frozen=True, slots=True)
class Vocabulary:
    events: EventTypes
    services: ServiceTypes
    components: Components
    delivery: Delivery
    outcomes: Outcomes
    frequencies: Frequencies
    people: PersonMixes
    activity: ActivityMixes


def build_vocabulary(codes: CodeLists) -> Vocabulary:
    return Vocabulary(
        events=_event_types(codes),
        services=_service_types(codes),
        components=_components(codes),
        delivery=Delivery(
            direct_payment=codes.value(DELIVERY, "Direct payment"),
            managed_budget=codes.value(DELIVERY, "CASSR managed personal budget"),
            commissioned=codes.value(DELIVERY, "CASSR commissioned support"),
        ),
        outcomes=_outcomes(codes),
        frequencies=Frequencies(
            hourly=codes.value(COST_FREQUENCY, "Hourly"),
            weekly=codes.value(COST_FREQUENCY, "Weekly"),
            per_session=codes.value(COST_FREQUENCY, "Per session"),
            one_off=codes.value(COST_FREQUENCY, "One-off"),
        ),
        people=_person_mixes(codes),
        activity=_activity_mixes(codes),
    )


def _event_types(codes: CodeLists) -> EventTypes:
    return EventTypes(
        request=codes.value(EVENT_TYPE, "Request"),
        assessment=codes.value(EVENT_TYPE, "Assessment"),
        service=codes.value(EVENT_TYPE, "Service"),
        review=codes.value(EVENT_TYPE, "Review"),
    )


def _service_types(codes: CodeLists) -> ServiceTypes:
    def named(code: str) -> str:
        return codes.value(SERVICE_TYPE, code)

    return ServiceTypes(
        st_max=named("Short term support: ST-Max"),
        ongoing_low_level=named("Short term support: Ongoing low level"),
        other_short_term=named("Short term support: Other short term"),
        community=named("Long term support: Community"),
        residential=named("Long term support: Residential care"),
        nursing=named("Long term support: Nursing care"),
        prison=named("Long term support: Prison"),
        carer_direct=named("Unpaid carer support: Direct to unpaid carer"),
        carer_involving_cared_for=named(
            "Unpaid carer support: Support involving the person cared-for"
        ),
    )


def _components(codes: CodeLists) -> Components:
    def named(code: str) -> str:
        return codes.value(COMPONENT, code)

    return Components(
        reablement=named("Reablement"),
        short_term_residential=named("Short term residential care"),
        short_term_nursing=named("Short term nursing care"),
        long_term_residential=named("Long term residential care"),
        long_term_nursing=named("Long term nursing care"),
        home_support=named("Home support or domiciliary care"),
        day_support=named("Day support"),
        meals=named("Meals"),
        transport=named("Transport"),
        equipment=named("Equipment"),
        direct_payment=named("Direct payment"),
        shared_lives=named("Shared Lives"),
        supported_living=named("Community supported living"),
        extra_care=named("Extra care housing"),
        other_long_term=named("Other long term support"),
        carer_respite=named("Unpaid carer respite"),
        carer_sitting=named("Unpaid carer sitting service"),
        carer_universal=named("Unpaid carer universal services"),
        other_carer_support=named("Other unpaid carer support"),
    )


def _outcomes(codes: CodeLists) -> Outcomes:
    def named(code: str) -> str:
        return codes.value(OUTCOME, code)

    def mix(weights: dict[str, float]) -> Choice:
        return codes.weighted(OUTCOME, weights)

    return Outcomes(
        to_reablement=named("Progress to reablement/ST-Max"),
        to_assessment=named("Progress to assessment, review or reassessment"),
        to_services=named("Progress to support planning or services"),
        continuation=named("Continuation of support or services"),
        admitted_to_hospital=named("Admitted to hospital"),
        deceased=named("NFA: Deceased"),
        ended_as_planned=named("NFA: Support ended as planned"),
        ended_other=named("NFA: Support ended for other reason"),
        information_and_advice=named("NFA: Information and advice or signposting"),
        request_nfa=mix(
            {
                "NFA: Information and advice or signposting": 60,
                "NFA: Referral to other service within the local authority": 10,
                "NFA: Self-funded client or under 12wk disregard": 8,
                "NFA: Support declined": 7,
                "NFA: Referral to NHS services or NHS funded social care": 5,
                "NFA: No services offered for other reason": 5,
                "NFA: Other": 5,
            }
        ),
        assessment_nfa=mix(
            {
                "NFA: No services offered for other reason": 30,
                "NFA: Information and advice or signposting": 25,
                "NFA: Self-funded client or under 12wk disregard": 20,
                "NFA: Support declined": 15,
                "NFA: Referral to NHS services or NHS funded social care": 5,
                "NFA: Other": 5,
            }
        ),
        reablement_end=mix(
            {
                "NFA: Support ended as planned": 70,
                "Admitted to hospital": 8,
                "NFA: Support ended for other reason": 6,
                "NFA: Support declined": 5,
                "NFA: Information and advice or signposting": 4,
                "NFA: Self-funded client or under 12wk disregard": 3,
                "NFA: Referral to NHS services or NHS funded social care": 2,
                "NFA: Other": 2,
            }
        ),
        long_term_exit=mix(
            {
                "NFA: Responsibility moved to another local authority": 30,
                "NFA: Referral to NHS services or NHS funded social care": 25,
                "NFA: Self-funded client or under 12wk disregard": 20,
                "NFA: Support ended as planned": 15,
                "NFA: Support declined": 10,
            }
        ),
    )


def _person_mixes(codes: CodeLists) -> PersonMixes:
    physical = "Physical support: Personal care support"
    mobility = "Physical support: Access & mobility only"
    memory = "Support with memory & cognition"
    mental_health = "Mental health support"
    learning_disability = "Learning Disability Support"
    owner = "Owner occupier or shared ownership scheme"
    social_tenant = "Tenant: Local authority or other social housing provider"
    private_tenant = "Tenant: Private landlord"
    with_family = "Settled mainstream housing with family or friends"
    supported = "Supported accommodation, supported lodgings or supported group home"
    sheltered = "Sheltered housing, extra care housing or other sheltered housing"
    shared_lives = "Shared Lives scheme"
    care_home = codes.value(ACCOMMODATION, "Registered care home")
    nursing_home = codes.value(ACCOMMODATION, "Registered nursing home")
    temporary_placement = (
        "Placed in temporary accommodation by the council (inc. homelessness resettlement)"
    )
    unknown = "Unknown"
    not_working = "Not in paid employment: Not actively seeking work or retired"
    return PersonMixes(
        gender=codes.weighted(GENDER, {"Female": 57.5, "Male": 42.0, "Other": 0.2, "Unknown": 0.3}),
        female=codes.value(GENDER, "Female"),
        male=codes.value(GENDER, "Male"),
        ethnicity=codes.weighted(
            ETHNICITY,
            {
                "White: English, Welsh, Scottish, Northern Irish or British": 86,
                "White: Any other White background": 3,
                "White: Irish": 1,
                "Asian or Asian British: Indian": 1.5,
                "No data: Undeclared or not known": 3,
                "No data: Refused": 0.5,
            },
            others=5,
        ),
        psr_working_age=codes.weighted(
            PSR,
            {
                physical: 33,
                learning_disability: 25,
                mental_health: 20,
                mobility: 8,
                memory: 2,
                "Social support: Substance misuse support": 3,
                "Social support: Support for social isolation/other": 2,
                "Sensory support: Support for visual impairment": 2,
                "Sensory support: Support for hearing impairment": 1,
                "Social support: Asylum seeker support": 0.5,
                unknown: 2,
            },
        ),
        psr_older=codes.weighted(
            PSR,
            {
                physical: 55,
                memory: 18,
                mobility: 14,
                mental_health: 4,
                "Sensory support: Support for visual impairment": 2,
                "Sensory support: Support for hearing impairment": 1,
                "Sensory support: Support for dual impairment": 1,
                "Social support: Support for social isolation/other": 2,
                unknown: 2,
            },
        ),
        learning_disability=codes.value(PSR, learning_disability),
        carer_psr=codes.value(PSR, "Social support: Support to unpaid carer"),
        accommodation_home=codes.weighted(
            ACCOMMODATION,
            {
                owner: 38,
                social_tenant: 18,
                private_tenant: 6,
                with_family: 10,
                sheltered: 7,
                supported: 3,
                unknown: 6,
                BLANK: 5,
                shared_lives: 0.4,
                "Acute hospital or long term healthcare residential facility": 1,
                "Staying with family or friends as a short term guest": 1,
                "Other temporary accommodation": 0.5,
                temporary_placement: 0.3,
                "Mobile accommodation for Gypsy, Roma and Traveller communities": 0.3,
                "Rough sleeper or squatting": 0.2,
                "Night shelter, emergency hostel or direct access hostel": 0.1,
                "Refuge": 0.1,
            },
        ),
        accommodation_learning_disability=codes.weighted(
            ACCOMMODATION,
            {
                supported: 36,
                with_family: 31,
                social_tenant: 10,
                shared_lives: 5,
                owner: 4,
                private_tenant: 3,
                unknown: 6,
                BLANK: 5,
            },
        ),
        care_home=care_home,
        nursing_home=nursing_home,
        accommodation_care_home=codes.weighted(
            ACCOMMODATION, {care_home: 85, nursing_home: 3, unknown: 7, BLANK: 5}
        ),
        accommodation_nursing_home=codes.weighted(
            ACCOMMODATION, {nursing_home: 85, care_home: 3, unknown: 7, BLANK: 5}
        ),
        prison_accommodation=codes.value(
            ACCOMMODATION, "Prison, young offenders institution or detention centre"
        ),
        employment_older=codes.weighted(EMPLOYMENT, {not_working: 80, "Unknown": 15, BLANK: 5}),
        employment_working_age=codes.weighted(
            EMPLOYMENT,
            {
                not_working: 58,
                "Unknown": 18,
                BLANK: 4,
                "Not in paid employment: Seeking work": 6,
                "Not in paid employment: Voluntary work only": 4,
                "Paid: Less than 16 hours a week": 5,
                "Paid: 16 or more hours a week": 3,
                "Paid: Hours per week unknown": 2,
            },
        ),
        funding_community=codes.weighted(
            CLIENT_FUNDING,
            {
                "Fully social care funded": 50,
                "Joint client and social care funded": 42,
                "Fully client funded": 3,
                BLANK: 5,
            },
        ),
        funding_care_home=codes.weighted(
            CLIENT_FUNDING,
            {"Joint client and social care funded": 75, "Fully social care funded": 20, BLANK: 5},
        ),
        has_carer=codes.weighted(HAS_CARER, {"Yes": 30, "No": 40, "Unknown": 25, BLANK: 5}),
        has_carer_yes=codes.value(HAS_CARER, "Yes"),
        service_user=codes.value(CLIENT_TYPE, "Service user"),
        unpaid_carer=codes.value(CLIENT_TYPE, "Unpaid carer"),
    )


def _activity_mixes(codes: CodeLists) -> ActivityMixes:
    community = "Community/Other route"
    discharge = "Discharge from Hospital"
    diversion = "Diversion from Hospital Services"
    depleted = "Self-funder with depleted funds"
    # The R2 review reasons are only known by prefix (reference 2.3.10), so pick by prefix and
    # follow whatever the seed holds.
    hospital_review = codes.starting_with(REVIEW_REASON, "Unplanned - Hospital")[0]
    other_unplanned = [
        code for code in codes.starting_with(REVIEW_REASON, "Unplanned") if code != hospital_review
    ]
    unplanned_weights = {hospital_review: 40.0}
    unplanned_weights.update(dict.fromkeys(other_unplanned, 60 / max(len(other_unplanned), 1)))
    return ActivityMixes(
        route_hospital_led=codes.weighted(ROUTE, {discharge: 60, diversion: 10, community: 30}),
        route_community=codes.weighted(
            ROUTE, {community: 80, discharge: 12, diversion: 5, depleted: 3}
        ),
        route_transition=codes.value(ROUTE, "Planned Entry (Transition)"),
        route_community_only=codes.value(ROUTE, community),
        short_term_assessment=codes.value(ASSESSMENT_TYPE, "Short term assessment"),
        long_term_assessment=codes.value(ASSESSMENT_TYPE, "Long term assessment"),
        # Reference 2.3.11 gives one list for Method of Review and Method of Assessment.
        method=codes.weighted(METHOD_OF_REVIEW, {}, others=1),
        planned_review=codes.starting_with(REVIEW_REASON, "Planned")[0],
        unplanned_review=Choice.of(unplanned_weights),
        unplanned_hospital_review=hospital_review,
        short_term_review=codes.value(REVIEW_REASON, "Review of short term support"),
    )
