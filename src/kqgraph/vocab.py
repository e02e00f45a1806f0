"""The project's vocabulary: one prefix table, closed namespaces, one language order.

`PREFIXES` is the single prefix table: Turtle files in graph/, SPARQL queries and exports
all use it, and a test checks it against graph/ontology.ttl. The namespaces give terms as
plain IRI strings (`KQ.party`), like rdflib's DefinedNamespace but without importing
rdflib; a closed one refuses a name it does not hold, so a typo fails at once instead of
minting a new IRI.
"""

from __future__ import annotations

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

# The order in which labels are looked for when the asked language has none (design.md).
LANGS = ("ko", "en", "fr")

# The form of schema.org this project does not use; `validate` reports any IRI in it.
SCHEMA_HTTP = "http://schema.org/"

# The dataset's own title and description, in every language (exports, the network page).
TITLE = {"ko": "한국–퀘벡 협력 지식 그래프", "en": "Korea–Quebec cooperation knowledge graph",
         "fr": "Graphe de connaissances de la coopération Corée–Québec"}
ABOUT = {
    "ko": "한국과 퀘벡의 협력: 누가 누구와, 어떤 분야에서, 언제부터 협력하는지, 그리고 그 출처.",
    "en": "Korea–Quebec cooperation: who works with whom, on what, since when, and says who.",
    "fr": "La coopération Corée–Québec : qui travaille avec qui, sur quoi, depuis quand, "
          "et selon quelle source.",
}

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


class Namespace:
    """The terms of one vocabulary as IRI strings: `KQ.party`, `KQR["seoul-ai-hub"]`.

    With `terms`, the namespace is closed: any other name raises AttributeError (KeyError
    with []). Without, any local name is a term (the project's entities and sources).
    """

    def __init__(self, prefix: str, terms: list[str] | str | None = None) -> None:
        self.prefix = prefix
        self.base = PREFIXES[prefix]
        self.terms = None if terms is None else frozenset(
            terms.split() if isinstance(terms, str) else terms)

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):  # copy, pickle and the import system probe these
            raise AttributeError(name)
        try:
            iri = self[name]
        except KeyError:
            raise AttributeError(f"{self.prefix}:{name} is not a term of this vocabulary "
                                 "(kqgraph.vocab)") from None
        self.__dict__[name] = iri  # kept: the next lookup is a plain attribute's
        return iri

    def __getitem__(self, name: str) -> str:
        if self.terms is not None and name not in self.terms:
            raise KeyError(f"{self.prefix}:{name}")
        return self.base + name

    def __contains__(self, iri: object) -> bool:
        return isinstance(iri, str) and iri.startswith(self.base) and (
            self.terms is None or iri[len(self.base):] in self.terms)

    def __dir__(self) -> list[str]:
        return sorted(self.terms or ())

    def __repr__(self) -> str:
        return f"Namespace({self.prefix!r}: <{self.base}>)"


KQ = Namespace("kq", KQ_TERMS)
KQR = Namespace("kqr")
KQS = Namespace("kqs")
RDF = Namespace("rdf", "type Property Statement subject predicate object langString first "
                       "rest nil")
RDFS = Namespace("rdfs", "label comment subClassOf subPropertyOf Class Literal range domain")
XSD = Namespace("xsd", "string integer decimal double boolean date gYear gYearMonth "
                       "dateTime anyURI")
OWL = Namespace("owl", "Class ObjectProperty DatatypeProperty Ontology SymmetricProperty "
                       "sameAs versionInfo")
PROV = Namespace("prov", "wasDerivedFrom Entity")
SKOS = Namespace("skos", "prefLabel altLabel Concept ConceptScheme inScheme broader")
SCHEMA = Namespace("schema", "value unitCode unitText description observationAbout "
                             "measuredProperty observationDate startDate endDate location "
                             "containedInPlace worksFor affiliation url name amount currency "
                             "foundingDate founder funder recipient attendee organizer "
                             "superEvent parentOrganization")
ORG = Namespace("org", "siteOf subOrganizationOf headOf")
DCTERMS = Namespace("dcterms", "title description license source language publisher date "
                               "creator")
DCAT = Namespace("dcat", "Dataset version")
VOID = Namespace("void", "Dataset triples uriSpace vocabulary classPartition class entities")
SH = Namespace("sh", "ValidationResult focusNode resultPath resultMessage")


# Longest namespace first, so that the first match is the most specific; among equal
# namespaces the first prefix of the table (sorted is stable).
_LONGEST_FIRST = sorted(PREFIXES.items(), key=lambda item: len(item[1]), reverse=True)


def curie(iri: str) -> str:
    """Shorten an IRI with the project's prefixes (`kqr:mila`), or return it in <>."""
    for prefix, namespace in _LONGEST_FIRST:
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return f"<{iri}>"


def expand(text: str) -> str | None:
    """The IRI a CURIE with one of the project's prefixes stands for, else None."""
    prefix, colon, local = text.partition(":")
    return PREFIXES[prefix] + local if colon and prefix in PREFIXES else None


def short_name(iri: str) -> str:
    """The local part of an IRI with a project prefix (`mila`), else the IRI in <>."""
    shown = curie(iri)
    return shown.split(":", 1)[1] if not shown.startswith("<") else shown


def pick_label(labels: dict[str, str], lang: str) -> str | None:
    """The label in `lang`, else in the order of LANGS, else an untagged one, else one in
    any other language, else None."""
    for candidate in (lang, *LANGS, ""):
        if candidate in labels:
            return labels[candidate]
    return next(iter(labels.values()), None)
