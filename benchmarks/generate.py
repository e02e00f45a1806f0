"""A deterministic synthetic cooperation graph shaped like kqgraph's, at a chosen size.

Organisations (universities, companies, institutes) with labels in Korean, English and
French, located in cities of Korea or Quebec/Canada; agreements between two of them with a
date, a kind and sectors; observations (researcher counts) with sources; and
co-authorship-like links between people who work for the organisations. The same size
always gives the same file.

    python benchmarks/generate.py 1000000 -o /tmp/kq-1m.nt
    python benchmarks/generate.py 100000 --valid -o /tmp/kq-100k-valid.nt   # conforms
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

KQ = "https://w3id.org/kqgraph/ontology#"
KQR = "https://w3id.org/kqgraph/id/"
KQS = "https://w3id.org/kqgraph/source/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SCHEMA = "https://schema.org/"
PROV = "http://www.w3.org/ns/prov#wasDerivedFrom"
XSD = "http://www.w3.org/2001/XMLSchema#"
CLASSES = ["University", "Company", "ResearchInstitute"]
SECTORS = ["ai", "batteries", "aerospace", "quantum-computing", "smart-city", "energy"]
CITIES = [("seoul", "south-korea"), ("daejeon", "south-korea"), ("busan", "south-korea"),
          ("montreal", "quebec"), ("quebec-city", "quebec"), ("sherbrooke", "quebec")]
# Triples written per "unit" (an organisation with its agreement, observation, people).
PER_UNIT = 30
# With valid=True a unit also carries what graph/shapes.ttl asks for: labels in the three
# languages, a source for every entity, an agreement kind, and a kq:Statement with a source
# for each sourced value (kq:agreementKind, kq:dateSigned, schema:worksFor).
PER_UNIT_VALID = 60
STATEMENT = KQ + "Statement"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def lines(triples: int, seed: int = 20251126, valid: bool = False):
    """N-Triples lines, about `triples` of them; with `valid`, data that conforms to
    graph/shapes.ttl (with graph/ontology.ttl beside it)."""
    rng = random.Random(seed)
    units = max(triples // (PER_UNIT_VALID if valid else PER_UNIT), 2)

    def iri(x: str) -> str:
        return f"<{x}>"

    def t(s: str, p: str, o: str) -> str:
        return f"{s} {p} {o} .\n"

    source = iri(KQS + "synthetic")

    def labels(node: str, ko: str, en: str, fr: str):
        yield t(node, iri(LABEL), f'"{ko}"@ko')
        yield t(node, iri(LABEL), f'"{en}"@en')
        yield t(node, iri(LABEL), f'"{fr}"@fr')

    def statement(name: str, s: str, p: str, o: str):
        node = iri(f"{KQR}{name}")
        yield t(node, iri(RDF_TYPE), iri(STATEMENT))
        yield t(node, iri(RDF + "subject"), s)
        yield t(node, iri(RDF + "predicate"), p)
        yield t(node, iri(RDF + "object"), o)
        yield t(node, iri(PROV), source)

    yield t(source, iri(RDF_TYPE), iri(KQ + "Source"))
    if valid:
        yield t(source, iri(LABEL), '"Synthetic benchmark data"@en')
        yield t(source, iri("http://purl.org/dc/terms/language"), '"en"')
    for slug, parent in CITIES:
        yield t(iri(KQR + slug), iri(RDF_TYPE), iri(KQ + "City"))
        yield t(iri(KQR + slug), iri(SCHEMA + "containedInPlace"), iri(KQR + parent))
        if valid:
            yield from labels(iri(KQR + slug), slug, slug, slug)
            yield t(iri(KQR + slug), iri(PROV), source)
    yield t(iri(KQR + "quebec"), iri(SCHEMA + "containedInPlace"), iri(KQR + "canada"))
    for i in range(units):
        org = iri(f"{KQR}org-{i}")
        yield t(org, iri(RDF_TYPE), iri(KQ + CLASSES[i % 3]))
        yield t(org, iri(LABEL), f'"조직 {i}"@ko')
        yield t(org, iri(LABEL), f'"Organisation {i}"@en')
        yield t(org, iri(LABEL), f'"Organisation n° {i}"@fr')
        yield t(org, iri(SCHEMA + "location"), iri(KQR + CITIES[i % len(CITIES)][0]))
        yield t(org, iri(KQ + "sector"), iri(KQR + SECTORS[i % len(SECTORS)]))
        yield t(org, iri(PROV), iri(KQS + "synthetic"))
        agreement = iri(f"{KQR}agreement-{i}")
        other = rng.randrange(units)
        if valid and other == i:  # two parties, not one twice
            other = (i + 1) % units
        partner = iri(f"{KQR}org-{other}")
        year = 2000 + i % 25
        yield t(agreement, iri(RDF_TYPE), iri(KQ + "Agreement"))
        yield t(agreement, iri(LABEL), f'"협정 {i}"@ko')
        yield t(agreement, iri(LABEL), f'"Agreement {i}"@en')
        yield t(agreement, iri(LABEL), f'"Entente {i}"@fr')
        yield t(agreement, iri(KQ + "party"), org)
        yield t(agreement, iri(KQ + "party"), partner)
        signed = f'"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}"^^<{XSD}date>'
        yield t(agreement, iri(KQ + "dateSigned"), signed)
        if valid:
            kind = iri(KQ + "arrangement")
            yield t(agreement, iri(KQ + "agreementKind"), kind)
            yield from statement(f"agreement-{i}--kind", agreement, iri(KQ + "agreementKind"),
                                 kind)
            yield from statement(f"agreement-{i}--signed", agreement, iri(KQ + "dateSigned"),
                                 signed)
        yield t(agreement, iri(KQ + "sector"), iri(KQR + SECTORS[(i + 1) % len(SECTORS)]))
        yield t(agreement, iri(KQ + "sector"), iri(KQR + SECTORS[(i + 3) % len(SECTORS)]))
        yield t(agreement, iri(PROV), iri(KQS + "synthetic"))
        obs = iri(f"{KQR}obs-{i}")
        yield t(obs, iri(RDF_TYPE), iri(KQ + "Observation"))
        yield t(obs, iri(SCHEMA + "observationAbout"), org)
        yield t(obs, iri(SCHEMA + "measuredProperty"), iri(KQ + "researcherCount"))
        yield t(obs, iri(SCHEMA + "value"), f'"{rng.randrange(5, 2000)}"^^<{XSD}integer>')
        yield t(obs, iri(PROV), iri(KQS + "synthetic"))
        if valid:
            yield from labels(obs, f"관측 {i}", f"Observation {i}", f"Observation n° {i}")
        for j in range(2):
            person = iri(f"{KQR}person-{i}-{j}")
            yield t(person, iri(RDF_TYPE), iri(KQ + "Person"))
            yield t(person, iri(LABEL), f'"Person {i}-{j}"@en')
            yield t(person, iri(SCHEMA + "worksFor"), org)
            if valid:
                yield t(person, iri(LABEL), f'"사람 {i}-{j}"@ko')
                yield t(person, iri(LABEL), f'"Personne {i}-{j}"@fr')
                yield t(person, iri(PROV), source)
                yield from statement(f"person-{i}-{j}--works-for", person,
                                     iri(SCHEMA + "worksFor"), org)
            other = iri(f"{KQR}person-{rng.randrange(units)}-{rng.randrange(2)}")
            yield t(person, iri(SCHEMA + "colleague"), other)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("triples", type=int)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--valid", action="store_true",
                        help="data that conforms to graph/shapes.ttl (labels, sources, statements)")
    args = parser.parse_args()
    with args.output.open("w", encoding="utf-8") as out:
        n = 0
        for line in lines(args.triples, valid=args.valid):
            out.write(line)
            n += 1
    print(f"{n} triples in {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
