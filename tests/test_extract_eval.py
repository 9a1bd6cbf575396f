"""The scoring of extractor drafts (loaders/extract_eval.py), on the five hand-written seed
records and on imperfect drafts made from them; and the floor the extractor must reach on the
seeds (overall F1 ≥ 0.9; fundings, territory, signing date ≥ 0.95)."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest

from loaders.extract_eval import (
    CRITICAL,
    FIELDS,
    Counts,
    aggregate,
    differences,
    facts,
    read_gold,
    score,
)

DATA = Path(__file__).resolve().parents[1] / "data"
GOLD = read_gold(DATA / "records")
ARIZE = "000_133c3ae0a5ee5a7b.txt"
CONFLUENCES = "001_fdea39efe5a091b5.txt"
GRASSE = "002_256773e332c130ca.txt"
CAESE = "003_1f39e4a573952776.txt"
MIN_OVERALL, MIN_CRITICAL = 0.9, 0.95


def gold(name: str) -> dict:
    return copy.deepcopy(GOLD[name])


def funding(record: dict, facility: str) -> dict:
    return next(f for f in record["fundings"] if f["funded"] == facility)


def test_read_gold_maps_each_seed_document_to_its_record() -> None:
    assert sorted(GOLD) == sorted(p.name for p in (DATA / "documents").glob("*.txt"))
    assert GOLD[ARIZE]["record"] == "msa-mps-arize-leze"


@pytest.mark.parametrize("name", sorted(GOLD))
def test_gold_against_itself_scores_one_everywhere(name: str) -> None:
    scores = score(GOLD[name], GOLD[name])
    assert all(c.fp == 0 and c.fn == 0 for c in scores.values())
    assert all(c.f1 == 1.0 for c in aggregate([scores]).values())


def test_gold_fact_counts_on_the_seeds() -> None:
    total = aggregate(score(r, r) for r in GOLD.values())
    assert {f: total[f].tp for f in FIELDS} == {
        "convention_kind": 8, "signing_date": 5, "period": 6, "territory": 5, "communes": 22,
        "signatories": 13, "people": 9, "domains": 34, "facilities": 12, "fundings": 3}
    assert total["overall"].tp == 117


def test_seed_000_facts() -> None:
    f = facts(GOLD[ARIZE])
    assert f["fundings"] == {
        ("msa-midi-pyrenees-sud", "creche", "09167", 50000, 1),
        ("msa-midi-pyrenees-sud", "creche", "09124", 27000, 1),
        ("msa-midi-pyrenees-sud", "equipement-enfance", "243200425", None, 1)}
    assert f["territory"] == {("epci", "200066223")}
    assert f["signing_date"] == {("2022-07-01",)}
    assert f["period"] == {("2022", "2024", None)}


def test_a_missing_funding_lowers_recall_only() -> None:
    draft = gold(ARIZE)
    draft["fundings"].remove(funding(draft, "creche-le-fossat"))
    s = score(GOLD[ARIZE], draft)
    assert s["fundings"] == Counts(tp=2, fp=0, fn=1)
    assert s["fundings"].recall == pytest.approx(2 / 3)
    assert s["fundings"].precision == 1.0
    assert all(s[f] == Counts(tp=s[f].tp) for f in FIELDS if f != "fundings")


def test_a_wrong_amount_is_one_false_positive_and_one_false_negative() -> None:
    draft = gold(ARIZE)
    funding(draft, "creche-lezat-sur-leze")["amount"] = 5000
    assert score(GOLD[ARIZE], draft)["fundings"] == Counts(tp=2, fp=1, fn=1)
    missing, extra = differences(GOLD[ARIZE], draft)["fundings"]
    assert missing == {("msa-midi-pyrenees-sud", "creche", "09167", 50000, 1)}
    assert extra == {("msa-midi-pyrenees-sud", "creche", "09167", 5000, 1)}


def test_an_amount_as_text_or_float_is_the_same_amount() -> None:
    for amount in (50000.0, "50.000€", "50 000 €", "50000"):
        draft = gold(ARIZE)
        funding(draft, "creche-lezat-sur-leze")["amount"] = amount
        assert score(GOLD[ARIZE], draft)["fundings"] == Counts(tp=3), amount


def test_a_funding_reaches_its_facility_by_key() -> None:
    draft = gold(ARIZE)  # the facility moved to another commune: the funding no longer matches
    next(f for f in draft["facilities"] if f["key"] == "creche-le-fossat")["commune"] = "09167"
    s = score(GOLD[ARIZE], draft)
    assert s["facilities"] == Counts(tp=3, fp=1, fn=1)
    assert s["fundings"] == Counts(tp=2, fp=1, fn=1)


def rename_local_keys(record: dict, prefix: str = "draft-") -> dict:
    """Every record-local key (conventions, actions, facilities, fundings, people) renamed, and
    every reference to them."""
    r = copy.deepcopy(record)
    new = {}
    for item in [*r.get("facilities", []), *r.get("fundings", []), *r.get("people", []),
                 *r.get("conventions", []),
                 *(a for c in r.get("conventions", []) for a in c.get("actions", []))]:
        new[item["key"]] = item["key"] = prefix + item["key"][::-1]
    for f in r.get("facilities", []):
        if "part_of" in f:
            f["part_of"] = new[f["part_of"]]
    for f in r.get("fundings", []):
        f["funded"] = new[f["funded"]]
        if "convention" in f:
            f["convention"] = new[f["convention"]]
    for c in r.get("conventions", []):
        for rep in c.get("representatives", []):
            rep["person"] = new[rep["person"]]
        for a in c.get("actions", []):
            a["facilities"] = [new[k] for k in a.get("facilities", [])]
    return r


@pytest.mark.parametrize("name", sorted(GOLD))
def test_renamed_local_keys_still_match(name: str) -> None:
    draft = rename_local_keys(GOLD[name])
    assert draft != GOLD[name]
    assert all(c.fp == c.fn == 0 for c in score(GOLD[name], draft).values())


def test_conventions_reordered_split_or_merged_score_as_document_facts() -> None:
    draft = gold(ARIZE)
    draft["conventions"].reverse()
    assert all(c.fp == c.fn == 0 for c in score(GOLD[ARIZE], draft).values())
    merged = gold(ARIZE)  # one convention with both kinds: the same facts
    first, second = merged["conventions"]
    first["kinds"] += second["kinds"]
    first["domains"] += second["domains"]
    del merged["conventions"][1]
    assert all(c.fp == c.fn == 0 for c in score(GOLD[ARIZE], merged).values())


def test_names_are_resolved_like_the_loader_resolves_them() -> None:
    draft = gold(ARIZE)
    draft["context"] = {"departement": "09", "date": "2022-07-01"}
    for conv in draft["conventions"]:
        conv["territories"] = [{"epci": "la communauté de communes Arize-Lèze", "excerpt": "x"}]
        conv["signatories"] = [{"organisation": "la MSA Midi-Pyrénées Sud", "excerpt": "x"},
                               {"organisation": "CC Arize-Lèze", "excerpt": "x"}]
    for f in draft["facilities"]:
        f["commune"] = {"09167": "Lézat-sur-Lèze", "09124": "au Fossat"}.get(f.get("commune"))
        f["territory"] = {"243200425": "CC Cœur d'Astarac en Gascogne"}.get(f.get("territory"))
    for f in draft["fundings"]:
        f["funder"] = "MSA Midi-Pyrénées Sud"
    assert all(c.fp == c.fn == 0 for c in score(GOLD[ARIZE], draft).values())
    unresolved = score(GOLD[ARIZE], draft, resolve=False)  # names scored as misses
    assert unresolved["territory"] == Counts(fp=1, fn=1)
    assert unresolved["signatories"] == Counts(fp=2, fn=2)
    assert unresolved["fundings"] == Counts(fp=3, fn=3)
    assert ("?saint martin",) in facts(
        {"conventions": [{"kinds": ["ctg"], "signatories": [{"organisation": "Saint-Martin"}]}]}
    )["signatories"]  # ambiguous: kept as a name, never a gold key


def test_commune_signatories_count_under_communes_not_signatories() -> None:
    f = facts(GOLD[CONFLUENCES])
    assert len(f["communes"]) == 22
    assert f["signatories"] == {("caf-82",), ("epci-200066322",)}
    draft = gold(CONFLUENCES)
    sigs = draft["conventions"][0]["signatories"]
    sigs[:] = [s for s in sigs if s["organisation"] != "commune-82112"]
    s = score(GOLD[CONFLUENCES], draft)
    assert (s["communes"], s["signatories"]) == (Counts(tp=21, fn=1), Counts(tp=2))


def test_bare_codes_and_prefixed_keys_are_one_spelling() -> None:
    draft = gold(CONFLUENCES)
    conv = draft["conventions"][0]
    conv["territories"] = [{"epci": "epci-200066322", "excerpt": "x"}]
    for s in conv["signatories"]:
        s["organisation"] = s["organisation"].removeprefix("commune-").replace("epci-", "")
    assert all(c.fp == c.fn == 0 for c in score(GOLD[CONFLUENCES], draft).values())


def test_dates_as_text_or_date_compare_equal_but_a_year_is_not_a_date() -> None:
    draft = gold(GRASSE)
    draft["conventions"][0]["signing"]["date"] = "2020-11-27"
    draft["conventions"][0]["period"] = {"start": "2020", "end": 2023, "excerpt": "x"}
    assert score(GOLD[GRASSE], draft)["signing_date"] == Counts(tp=1)
    assert score(GOLD[GRASSE], draft)["period"] == Counts(tp=1)
    draft["conventions"][0]["signing"]["date"] = 2020
    assert score(GOLD[GRASSE], draft)["signing_date"] == Counts(fp=1, fn=1)
    draft["conventions"][0]["signing"]["date"] = dt.datetime(2020, 11, 27, 11, 0)
    assert score(GOLD[GRASSE], draft)["signing_date"] == Counts(tp=1)


def test_period_bounds_as_given_and_duration_only_without_bounds() -> None:
    draft = gold(CAESE)
    draft["conventions"][0]["period"]["end"] = 2026  # the text says « jusqu'au 31 décembre 2026 »
    assert score(GOLD[CAESE], draft)["period"] == Counts(tp=1, fp=1, fn=1)
    assert facts({"conventions": [{"kinds": ["ctg"], "period": {"duration": "P3Y8M"}}]})[
        "period"] == {(None, None, "P3Y8M")}
    assert facts({"conventions": [{"kinds": ["ctg"], "period": {
        "start": 2023, "end": 2027, "duration": "P5Y"}}]})["period"] == {("2023", "2027", None)}


def test_identical_facilities_are_counted_as_many() -> None:
    draft = gold(CONFLUENCES)
    draft["facilities"] = [f for f in draft["facilities"] if f["key"] != "laep-castelsarrasin"]
    assert score(GOLD[CONFLUENCES], draft)["facilities"] == Counts(tp=7, fn=1)
    creche = next(f for f in draft["facilities"] if f["kind"] == "creche")
    del creche["new_places"]  # capacity and new places are part of the fact
    assert score(GOLD[CONFLUENCES], draft)["facilities"] == Counts(tp=6, fp=1, fn=2)


def test_people_names_are_folded_and_representatives_count() -> None:
    draft = gold(CAESE)
    for p in draft["people"]:
        p["name"] = f"Monsieur {p['name'].upper()}"
    assert score(GOLD[CAESE], draft)["people"] == Counts(tp=4)
    for p in draft["people"]:  # roles dropped: the representatives still say who signs for whom
        p["roles"] = []
    assert score(GOLD[CAESE], draft)["people"] == Counts(tp=4)
    draft["conventions"][0]["representatives"] = []
    assert score(GOLD[CAESE], draft)["people"] == Counts(fp=4, fn=4)  # (name, None)


def test_empty_and_malformed_drafts_score_without_error() -> None:
    s = score(GOLD[ARIZE], {})
    assert all(s[f] == Counts(fn=s[f].fn) for f in FIELDS)
    assert aggregate([s])["overall"].f1 == 0.0
    junk = {"conventions": [{"kinds": "ctg", "signing": "hier", "period": [2022], "actions": [{}],
                             "signatories": ["caf-09", {"as_written": "?"}],
                             "territories": [{}], "domains": ["jeunesse", {"domain": None}]}],
            "facilities": [{"key": "x", "kind": "creche", "capacity": "beaucoup"},
                           {"kind": "laep"}, {"kind": "laep", "commune": ["09167"]}],
            "fundings": [{"funder": None, "funded": "nowhere", "amount": "n/a"}], "people": [{}]}
    f = facts(junk)
    assert f["convention_kind"] == {("ctg",)}
    assert f["domains"] == {("jeunesse",)}
    assert facts({"conventions": [{"kinds": ["ctg"], "domains": "jeunesse"}]})["domains"] == set()
    assert sorted(t[0] for t in f["facilities"]) == ["creche", "laep", "laep"]
    assert ("creche", None, None, None, 1) in f["facilities"]
    assert f["fundings"] == {(None, None, None, None, 1)}


def test_counts_and_micro_average() -> None:
    assert Counts().f1 == 1.0  # nothing to find, nothing found
    assert Counts(fn=2).precision == 0.0
    assert Counts(fp=1).recall == 0.0
    c = Counts(tp=3, fp=1, fn=2)
    assert (c.precision, c.recall) == (0.75, 0.6)
    assert c.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    total = aggregate([{"fundings": Counts(tp=1)}, {"fundings": Counts(fp=1, fn=1), "domains": c}])
    assert total["fundings"] == Counts(tp=1, fp=1, fn=1)
    assert total["overall"] == Counts(tp=4, fp=2, fn=3)
    assert total["territory"] == Counts()


def test_extractor_reaches_the_floor_on_the_seeds() -> None:
    """`extract` on the five seed texts, scored against their hand-written records: overall
    F1 ≥ 0.9, and ≥ 0.95 on fundings, territories and signing dates (the issue's definition of
    done; `benchmarks/extraction.py --check` prints the same numbers)."""
    from loaders.extract import extract, read_source

    scores = []
    for name, record in sorted(GOLD.items()):
        path = DATA / "documents" / name
        scores.append(score(record, extract(read_source(path), name=path.stem)))
    total = aggregate(scores)
    report = {f: round(total[f].f1, 3) for f in (*FIELDS, "overall")}
    assert total["overall"].f1 >= MIN_OVERALL, report
    for f in CRITICAL:
        assert total[f].f1 >= MIN_CRITICAL, (f, report)


def test_module_doctests() -> None:
    import doctest

    import loaders.extract_eval

    result = doctest.testmod(loaders.extract_eval)
    assert result.attempted >= 3
    assert result.failed == 0
