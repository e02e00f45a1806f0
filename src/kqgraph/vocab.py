"""The project's vocabulary: one prefix table and closed namespaces.

`PREFIXES` is the single prefix table: Turtle files in graph/, SPARQL queries and exports
all use it, and a test checks it against graph/ontology.ttl. `KQ` is closed, so a typo in a
term name fails at once instead of minting a new IRI. The rdflib namespaces are built on
first use, so that commands which only need the prefix table do not import rdflib.
"""

from __future__ import annotations

TYPE_CHECKING = False  # `typing` is for type checkers only: it slows every command's start
if TYPE_CHECKING:
    from typing import Any

PREFIXES: dict[str, str] = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "kq": "https://w3id.org/kqgraph/ontology#",
    "kqr": "https://w3id.org/kqgraph/id/",
    "kqs": "https://w3id.org/kqgraph/source/",
    "kqsh": "https://w3id.org/kqgraph/shapes#",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "void": "http://rdfs.org/ns/void#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

# The form of schema.org this project does not use; `validate` reports any IRI in it.
SCHEMA_HTTP = "http://schema.org/"

KQ_TERMS = [
    # classes
    "AcademicUnit", "Agreement", "AgreementKind", "City", "Claim", "Company", "Country",
    "CreativeWork", "Dispute", "Entity", "Event", "Government", "GovernmentAgency",
    "GovernmentOffice", "Hub", "Indicator", "Investment", "InvestmentKind", "JointVenture",
    "MilitaryUnit", "Mission", "Observation", "Organization", "Person", "Place", "Policy",
    "Presence", "PresenceKind", "Province", "ResearchInstitute", "ResearchLab", "Sector",
    "Source", "SourcedProperty", "Statement", "Talk", "University", "ValueQualifier", "Venue",
    "Verdict", "Verification",
    # properties
    "about", "agreementKind", "among", "attestedOn", "comparedTo", "dateAnnounced",
    "dateClosed", "dateConcluded", "dateEnded", "dateInForce", "dateInitialled", "dateOpened",
    "datePaused", "dateSigned", "dateWithdrawn", "factSheetRow", "hostedBy", "investmentKind",
    "investor", "labelMissing", "lifecycleDate", "officialLanguage", "partnerOf", "party",
    "presenceKind", "representing", "scope", "sector", "session", "speaker", "speakerRole",
    "valueQualifier", "verdict", "verifies", "wikidataId",
    # indicators
    "aiOrganizationCount", "aiPaperCitationRank", "aiProfessionalCount", "aiResearcherCount",
    "aiStudentCount", "aircraftFirmOrders", "aircraftOptions", "aircraftPurchaseRights",
    "areaMultiple", "areaRank", "bilingualShare", "burialCount", "companiesNurtured",
    "deathCount", "electricityShareOfEnergy", "equityStake", "floorArea",
    "foreignStudentShare", "frenchLearnerCount", "globalAIIndexRank", "hydroShareOfElectricity",
    "hydroStationCount", "independentResearcherCount", "installedCapacity",
    "internationalAgreementCount", "investmentAmount", "jobCount", "koreanOriginPopulation",
    "koreanOriginShare", "landArea", "motherTongueShare", "offtakeVolume",
    "oilConsumptionReductionTarget", "partnerCount", "personnelCount", "population",
    "productionCapacity", "programmeDuration", "projectValue", "provinceCount",
    "publicFundingAmount", "rdExpenditureShareOfGDP", "renewableShare", "researchPillarRank",
    "researcherCount", "simulatorCount", "siteArea", "startupsPerCohort",
    "supplyContractValue", "tradeGrowth", "tradeInGoods", "tradingPartnerRank",
    "trilingualShare", "universitiesOfferingAI", "vehiclesSupported", "viewerCount",
    # concept schemes and their concepts
    "agreementKinds", "approximately", "arrangement", "atLeast", "businessPresence",
    "consulate", "diplomaticRelations", "equity", "forgivableLoan", "formalAgreement",
    "freeTradeAgreement", "friendshipAgreement", "funding", "gift", "grant", "investmentKinds",
    "jointVenture", "jointVentureAgreement", "loan", "memorandumOfUnderstanding", "moreThan",
    "notFound", "nuanced", "office", "offtake", "partlyVerified", "partnershipAgreement",
    "plant", "presenceKinds", "programme", "projectInvestment", "purchaseAgreement",
    "researchLab", "sisterCityAgreement", "socialSecurityAgreement", "studio", "trainingCentre",
    "upTo", "valueQualifiers", "verdicts", "verified",
]  # fmt: skip


def __getattr__(name: str) -> Any:
    """KQ (closed), KQR and KQS as rdflib namespaces, made when first asked for."""
    if name not in ("KQ", "KQR", "KQS"):  # e.g. __path__, probed by the import system
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from rdflib.namespace import ClosedNamespace, Namespace

    made = {
        "KQ": lambda: ClosedNamespace(PREFIXES["kq"], KQ_TERMS),
        "KQR": lambda: Namespace(PREFIXES["kqr"]),
        "KQS": lambda: Namespace(PREFIXES["kqs"]),
    }
    value = made[name]()
    globals()[name] = value
    return value


def curie(iri: str) -> str:
    """Shorten an IRI with the project's prefixes (`kqr:mila`), or return it in <>."""
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return f"<{iri}>"
    prefix = next(p for p, ns in PREFIXES.items() if ns == best)
    return f"{prefix}:{iri[len(best):]}"
