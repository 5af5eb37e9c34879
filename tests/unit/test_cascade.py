"""Failure cascade: worked examples a KRITIS specialist can check by hand, and properties.

All facilities are fictional ("Muster…", "Beispiel…"); the municipalities are
those of Kreis Düren because the area-outage what-if is asked for by name.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from krisenstab.domain.cascade import (
    CascadeDependency,
    CascadeGraph,
    CascadeNode,
    CascadeResult,
    CauseKind,
    DependencyKind,
    Scenario,
    compute_cascade,
    dependency_view,
    forecast,
)
from krisenstab.domain.power import FacilityStatus

POWER = DependencyKind.POWER
WATER = DependencyKind.WATER
IT = DependencyKind.TELECOM_IT
FUEL = DependencyKind.FUEL
INF = math.inf


def node(ident: str, persons: int = 0, **kw) -> CascadeNode:
    return CascadeNode(
        id=ident, name=kw.pop("name", f"Muster-{ident}"), persons_supplied=persons, **kw
    )


def dep(dependent: str, supplier: str, kind=POWER, tol: float = 0.0) -> CascadeDependency:
    return CascadeDependency(dependent, supplier, kind, tol)


def run(nodes, deps, **scenario) -> CascadeResult:
    return compute_cascade(CascadeGraph(nodes, deps), Scenario(**scenario))


def times(result: CascadeResult) -> dict[str, float]:
    return dict(result.failure_hours)


def steps(result: CascadeResult) -> list[tuple[float, str]]:
    return [(e.hours, e.facility_id) for e in result.timeline]


# --- worked example: substation → waterworks (8 h generator) → elevated tank (12 h) ----


def water_chain(generator: float | None = 8.0):
    nodes = [
        node("uw", 0, name="Umspannwerk Musterdorf", sector="Energie"),
        node("ww", 20_000, name="Wasserwerk Musterdorf", generator_autonomy_h=generator),
        node("hb", 5_000, name="Hochbehälter Musterberg"),
    ]
    deps = [dep("ww", "uw", POWER), dep("hb", "ww", WATER, 12)]
    return nodes, deps


def test_substation_waterworks_generator_elevated_tank() -> None:
    result = run(*water_chain(), fail_ids={"uw"})
    # UW at 0; waterworks bridges 8 h on its generator; the tank holds 12 h more.
    assert steps(result) == [(0.0, "uw"), (8.0, "ww"), (20.0, "hb")]
    assert [e.persons_cumulative for e in result.timeline] == [0, 20_000, 25_000]
    uw, ww, hb = result.timeline
    assert uw.cause.kind is CauseKind.ASSUMED
    assert ww.cause.kind is CauseKind.POWER_EXHAUSTED
    assert ww.cause.supplier_id == "uw"
    assert ww.cause_text == "Notstrom erschöpft (Strom: Ausfall Umspannwerk Musterdorf)"
    assert hb.cause.kind is CauseKind.SUPPLIER
    assert (hb.cause.supplier_id, hb.cause.dependency_kind) == ("ww", WATER)
    assert hb.cause_text == "Wasser: Ausfall Wasserwerk Musterdorf"
    assert uw.sector == "Energie"


def test_without_generator_the_waterworks_fails_at_once() -> None:
    result = run(*water_chain(generator=None), fail_ids={"uw"})
    assert steps(result) == [(0.0, "uw"), (0.0, "ww"), (12.0, "hb")]
    assert result.timeline[1].cause.kind is CauseKind.SUPPLIER


def test_nothing_fails_without_a_start_condition() -> None:
    result = run(*water_chain())
    assert result.timeline == ()
    assert result.facility_count == 3


# --- redundancy -------------------------------------------------------------------------


def hospital(generator: float | None = None, tol_north: float = 0.0):
    nodes = [
        node("hs", 0, name="Hochspannungsknoten Beispiel"),
        node("nord", 0, name="UW Nord"),
        node("sued", 0, name="UW Süd"),
        node("klinik", 400, name="Musterklinik", generator_autonomy_h=generator),
    ]
    deps = [
        dep("klinik", "nord", POWER, tol_north),
        dep("klinik", "sued", POWER),
        dep("sued", "hs", POWER, 3),
    ]
    return nodes, deps


def test_one_of_two_redundant_substations_failing_changes_nothing() -> None:
    assert steps(run(*hospital(), fail_ids={"nord"})) == [(0.0, "nord")]
    assert steps(run(*hospital(), fail_ids={"sued"})) == [(0.0, "sued")]


def test_redundant_supply_is_lost_with_the_last_supplier() -> None:
    result = run(*hospital(), fail_ids={"nord", "hs"})
    assert times(result) == {"nord": 0.0, "hs": 0.0, "sued": 3.0, "klinik": 3.0}
    klinik = result.timeline[-1]
    assert klinik.facility_id == "klinik"
    assert klinik.cause.supplier_id == "sued"


def test_redundancy_with_generator_counts_from_the_last_power_loss() -> None:
    result = run(*hospital(generator=24.0), fail_ids={"nord", "hs"})
    assert times(result)["klinik"] == 27.0


def test_tolerance_applies_per_redundant_supplier() -> None:
    result = run(*hospital(tol_north=5.0), fail_ids={"nord", "sued"})
    # North is bridged 5 h, south 0 h: the power is gone when the last bridge ends.
    assert times(result)["klinik"] == 5.0
    assert result.timeline[-1].cause.supplier_id == "nord"


def test_any_lost_kind_is_enough() -> None:
    nodes = [
        node("nord"),
        node("sued"),
        node("rz", name="Rechenzentrum Beispiel"),
        node("leitstelle", name="Leitstelle Muster"),
    ]
    deps = [
        dep("leitstelle", "nord", POWER),
        dep("leitstelle", "sued", POWER),
        dep("leitstelle", "rz", IT, 2),
    ]
    result = run(nodes, deps, fail_ids={"rz", "nord"})
    assert times(result) == {"rz": 0.0, "nord": 0.0, "leitstelle": 2.0}
    assert result.timeline[-1].cause_text == "Telekommunikation/IT: Ausfall Rechenzentrum Beispiel"


# --- cycles -----------------------------------------------------------------------------


def test_cycle_without_failure_stays_up() -> None:
    nodes = [node("uw", name="UW Muster"), node("rz", name="Rechenzentrum Muster")]
    deps = [dep("rz", "uw", POWER), dep("uw", "rz", IT, 4)]
    assert run(nodes, deps).timeline == ()


def test_cycle_with_failure() -> None:
    nodes = [node("uw"), node("rz", generator_autonomy_h=6)]
    deps = [dep("rz", "uw", POWER), dep("uw", "rz", IT, 4)]
    assert steps(run(nodes, deps, fail_ids={"uw"})) == [(0.0, "uw"), (6.0, "rz")]
    assert steps(run(nodes, deps, fail_ids={"rz"})) == [(0.0, "rz"), (4.0, "uw")]


def test_mutually_backing_facilities_survive_until_both_outside_supplies_go() -> None:
    # A and B each have one outside supplier and back each other up.
    nodes = [node("x"), node("y"), node("a"), node("b")]
    deps = [dep("a", "x"), dep("a", "b"), dep("b", "y"), dep("b", "a")]
    assert steps(run(nodes, deps, fail_ids={"x"})) == [(0.0, "x")]
    assert times(run(nodes, deps, fail_ids={"x", "y"})) == {"x": 0, "y": 0}
    # Both outside supplies gone and nothing else: the pair keeps itself "alive" — the
    # model cannot see that they have no source any more, so it does not invent a failure.


def test_long_ring_does_not_recurse_or_hang() -> None:
    n = 3000
    nodes = [node(f"n{i}") for i in range(n)]
    deps = [dep(f"n{(i + 1) % n}", f"n{i}", POWER, 1) for i in range(n)]
    result = run(nodes, deps, fail_ids={"n0"}, horizon_h=INF)
    assert len(result.timeline) == n
    assert result.failure_hours["n2999"] == 2999.0
    assert run(nodes, deps).timeline == ()


def test_self_dependency_is_harmless() -> None:
    nodes = [node("a"), node("b")]
    deps = [dep("a", "a", POWER), dep("a", "b", WATER, 1)]
    assert times(run(nodes, deps, fail_ids={"b"})) == {"b": 0.0, "a": 1.0}


# --- fuel chain -------------------------------------------------------------------------


def fuel_chain(depot_generator: float | None = 24.0, fuel_tol: float = 0.0, with_fuel=True):
    nodes = [
        node("uw", name="UW Muster"),
        node("tank", name="Tanklager Beispiel", generator_autonomy_h=depot_generator),
        node("ww", 20_000, name="Wasserwerk Muster", generator_autonomy_h=8),
    ]
    deps = [dep("tank", "uw"), dep("ww", "uw")]
    if with_fuel:
        deps.append(dep("ww", "tank", FUEL, fuel_tol))
    return nodes, deps


def test_fuel_depot_keeps_the_generator_running_until_it_fails() -> None:
    result = run(*fuel_chain(), fail_ids={"uw"})
    # Depot runs 24 h on its own generator and refuels the waterworks until then;
    # after that the waterworks has one full tank: 8 h.
    assert times(result) == {"uw": 0.0, "tank": 24.0, "ww": 32.0}
    ww = result.timeline[-1]
    assert ww.cause.kind is CauseKind.POWER_EXHAUSTED
    assert (ww.cause.supplier_id, ww.cause.dependency_kind) == ("tank", FUEL)
    assert ww.cause_text == "Notstrom erschöpft (Kraftstoff: Ausfall Tanklager Beispiel)"


def test_without_fuel_dependency_the_tank_lasts_alone() -> None:
    assert times(run(*fuel_chain(with_fuel=False), fail_ids={"uw"}))["ww"] == 8.0


def test_depot_without_generator_gives_no_extra_time() -> None:
    result = run(*fuel_chain(depot_generator=None), fail_ids={"uw"})
    assert times(result) == {"uw": 0.0, "tank": 0.0, "ww": 8.0}
    assert result.timeline[-1].cause.kind is CauseKind.POWER_EXHAUSTED


def test_fuel_dependency_tolerance_is_the_last_delivery() -> None:
    assert times(run(*fuel_chain(fuel_tol=6), fail_ids={"uw"}))["ww"] == 38.0


def test_fuel_depot_failing_does_not_stop_a_grid_powered_site() -> None:
    assert steps(run(*fuel_chain(), fail_ids={"tank"})) == [(0.0, "tank")]


def test_fuel_is_an_ordinary_supply_for_a_site_without_generator() -> None:
    nodes = [node("tank", name="Tanklager Beispiel"), node("rw", 0, name="Rettungswache Muster")]
    result = run(nodes, [dep("rw", "tank", FUEL, 10)], fail_ids={"tank"})
    assert times(result) == {"tank": 0.0, "rw": 10.0}
    assert result.timeline[-1].cause.kind is CauseKind.SUPPLIER


def test_running_generator_is_kept_at_its_level_by_the_depot() -> None:
    nodes = [
        node("uw"),
        node("tank", generator_autonomy_h=24),
        node("ww", status="Notstrombetrieb", generator_autonomy_h=8, generator_remaining_h=5),
    ]
    deps = [dep("tank", "uw"), dep("ww", "uw"), dep("ww", "tank", FUEL)]
    # Grid down, depot works on for 24 h, keeps the waterworks at 5 h until then.
    assert times(run(nodes, deps, fail_ids={"uw"}))["ww"] == 29.0
    # Depot gone now: only what is in the tank.
    assert times(run(nodes, deps, fail_ids={"tank"}))["ww"] == 5.0


# --- stored state -----------------------------------------------------------------------


def test_failed_facilities_start_failed_with_their_since_time() -> None:
    nodes = [
        node("uw", status=FacilityStatus.FAILED, failed_since_h=3),
        node("ww", 20_000, generator_autonomy_h=8),
        node("hb", 5_000),
    ]
    deps = [dep("ww", "uw"), dep("hb", "ww", WATER, 12)]
    result = run(nodes, deps)
    assert steps(result) == [(-3.0, "uw"), (5.0, "ww"), (17.0, "hb")]
    assert result.timeline[0].cause.kind is CauseKind.INITIAL
    assert result.timeline[0].cause_text == "Ausgangslage: bereits ausgefallen"


def test_failed_without_since_time_counts_from_now_and_keeps_its_time() -> None:
    nodes = [node("a", status="ausgefallen"), node("b", status="ausgefallen", failed_since_h=2)]
    # b's stored time is a fact: a dependency on a does not move it.
    result = run(nodes, [dep("b", "a")], fail_ids={"a", "b"})
    assert steps(result) == [(-2.0, "b"), (0.0, "a")]
    assert all(e.cause.kind is CauseKind.INITIAL for e in result.timeline)


def test_generator_runs_dry_even_if_nothing_else_happens() -> None:
    nodes = [
        node("uw"),
        node(
            "ww", 20_000, status="Notstrombetrieb", generator_autonomy_h=8, generator_remaining_h=5
        ),
        node("hb", 5_000),
    ]
    deps = [dep("ww", "uw"), dep("hb", "ww", WATER, 12)]
    result = run(nodes, deps)
    assert steps(result) == [(5.0, "ww"), (17.0, "hb")]
    assert result.timeline[0].cause.kind is CauseKind.POWER_EXHAUSTED
    assert result.timeline[0].cause_text == "Notstrom erschöpft"
    # Its power is already gone: the substation failing as well changes nothing.
    assert times(run(nodes, deps, fail_ids={"uw"}))["ww"] == 5.0


def test_stored_state_can_be_ignored() -> None:
    nodes = [
        node("a", status="ausgefallen"),
        node("b", status="Notstrombetrieb", generator_autonomy_h=8, generator_remaining_h=1),
        node("c"),
    ]
    deps = [dep("c", "a")]
    assert run(nodes, deps, use_stored_state=False).timeline == ()
    # Without stored state b is a grid-powered site with an 8 h generator.
    only_what_if = run(nodes, [*deps, dep("b", "a")], fail_ids={"a"}, use_stored_state=False)
    assert times(only_what_if) == {"a": 0.0, "c": 0.0, "b": 8.0}


def test_uncertain_inputs_are_reported() -> None:
    nodes = [
        node("u", status="unbekannt"),
        node("full", status="Notstrombetrieb", generator_autonomy_h=10),
        node("blind", status="Notstrombetrieb"),
    ]
    result = run(nodes, [])
    assert result.status_unknown == ("u",)
    assert result.reserve_assumed_full == ("full",)
    assert result.reserve_unknown == ("blind",)
    # A full tank is assumed where only the remaining hours are missing.
    assert times(result) == {"full": 10.0}


# --- horizon ----------------------------------------------------------------------------


def long_chain():
    nodes = [node("a", 1), node("b", 10), node("c", 100), node("d", 1000)]
    deps = [dep("b", "a", WATER, 10), dep("c", "b", WATER, 40), dep("d", "c", WATER, 30)]
    return nodes, deps


def test_horizon_cuts_off_later_failures() -> None:
    assert steps(run(*long_chain(), fail_ids={"a"}, horizon_h=72)) == [
        (0.0, "a"),
        (10.0, "b"),
        (50.0, "c"),
    ]
    # The horizon is inclusive.
    assert steps(run(*long_chain(), fail_ids={"a"}, horizon_h=10)) == [(0.0, "a"), (10.0, "b")]
    assert steps(run(*long_chain(), fail_ids={"a"}, horizon_h=0)) == [(0.0, "a")]
    assert len(run(*long_chain(), fail_ids={"a"}, horizon_h=INF).timeline) == 4


def test_questions_beyond_the_horizon_are_refused() -> None:
    result = run(*long_chain(), fail_ids={"a"}, horizon_h=72)
    assert result.failed_by(50) == ("a", "b", "c")
    assert result.persons_affected_by(50) == 111
    with pytest.raises(ValueError, match="Prognosehorizont"):
        result.failed_by(80)
    with pytest.raises(ValueError, match="Prognosehorizont"):
        forecast(result, (12, 96))


# --- area power outage ------------------------------------------------------------------


def kreuzau():
    nodes = [
        node(
            "pflege", 80, name="Pflegeheim Muster", municipality="Kreuzau", generator_autonomy_h=12
        ),
        node("schule", 300, name="Grundschule Beispiel", municipality="Kreuzau"),
        node(
            "ww", 20_000, name="Wasserwerk Muster", municipality="Kreuzau", generator_autonomy_h=8
        ),
        node("hb", 5_000, name="Hochbehälter Beispiel", municipality="Düren"),
        node("uwd", 0, name="UW Düren-Muster", municipality="Düren"),
        node("kh", 500, name="Krankenhaus Muster", municipality="Düren"),
    ]
    deps = [dep("hb", "ww", WATER, 12), dep("kh", "uwd", POWER), dep("ww", "uwd", POWER)]
    return nodes, deps


def test_area_outage_kreuzau() -> None:
    result = run(*kreuzau(), area_outages={"Kreuzau"})
    assert steps(result) == [(0.0, "schule"), (8.0, "ww"), (12.0, "pflege"), (20.0, "hb")]
    schule, ww, _pflege, hb = result.timeline
    assert schule.cause.kind is CauseKind.AREA_OUTAGE
    assert schule.cause_text == "Flächenstromausfall Kreuzau"
    assert ww.cause.kind is CauseKind.POWER_EXHAUSTED
    assert ww.cause_text == "Notstrom erschöpft (Flächenstromausfall Kreuzau)"
    assert hb.cause.supplier_id == "ww"
    assert "kh" not in result.failure_hours
    assert result.unmatched_municipalities == ()


def test_area_outage_name_is_forgiving_and_unknown_names_are_reported() -> None:
    assert len(run(*kreuzau(), area_outages={"  kreuzau "}).timeline) == 4
    result = run(*kreuzau(), area_outages={"Kreutzau"})
    assert result.timeline == ()
    assert result.unmatched_municipalities == ("Kreutzau",)


def test_area_outage_combined_with_failures() -> None:
    result = run(*kreuzau(), area_outages={"Kreuzau"}, fail_ids={"uwd"})
    assert times(result) == {
        "schule": 0.0,
        "uwd": 0.0,
        "kh": 0.0,
        "ww": 8.0,
        "pflege": 12.0,
        "hb": 20.0,
    }
    assert result.timeline[-1].persons_cumulative == 80 + 300 + 20_000 + 5_000 + 500


def test_area_outage_does_not_refill_a_running_generator() -> None:
    nodes = [
        node(
            "ww",
            status="Notstrombetrieb",
            generator_autonomy_h=8,
            generator_remaining_h=3,
            municipality="Kreuzau",
        )
    ]
    assert times(run(nodes, [], area_outages={"Kreuzau"})) == {"ww": 3.0}


# --- what-ifs never touch their input ---------------------------------------------------


def test_graph_is_reusable_and_unchanged_by_what_ifs() -> None:
    nodes, deps = water_chain()
    graph = CascadeGraph(nodes, deps)
    before = (graph.nodes, graph.dependencies)
    first = compute_cascade(graph, Scenario(fail_ids={"uw"}))
    assert compute_cascade(graph, Scenario()).timeline == ()
    again = compute_cascade(graph, Scenario(fail_ids={"uw"}))
    assert first.timeline == again.timeline
    assert (graph.nodes, graph.dependencies) == before
    assert all(n.status == FacilityStatus.OPERATIONAL for n in graph.nodes)


# --- forecast and dependency view -------------------------------------------------------


def test_forecast_for_the_situation_report() -> None:
    result = run(*fuel_chain(), fail_ids={"uw"})
    points = forecast(result)
    assert [p.hours for p in points] == [12, 24, 48, 72]
    assert [p.failed_ids for p in points] == [
        ("uw",),
        ("uw", "tank"),
        ("uw", "tank", "ww"),
        ("uw", "tank", "ww"),
    ]
    assert [p.newly_failed_ids for p in points] == [("uw",), ("tank",), ("ww",), ()]
    assert [p.persons_affected for p in points] == [0, 0, 20_000, 20_000]


def test_forecast_includes_the_starting_state() -> None:
    nodes = [node("x", 7, status="ausgefallen", failed_since_h=30)]
    assert forecast(run(nodes, []), (12,))[0].failed_ids == ("x",)


def test_dependency_view_direct_and_transitive() -> None:
    nodes, deps = fuel_chain()
    nodes = [*nodes, node("hb", name="Hochbehälter")]
    graph = CascadeGraph(nodes, [*deps, dep("hb", "ww", WATER, 12)])
    view = dependency_view(graph, "ww")
    assert {(d.supplier_id, d.kind) for d in view.direct_suppliers} == {
        ("uw", POWER),
        ("tank", FUEL),
    }
    assert [d.dependent_id for d in view.direct_dependents] == ["hb"]
    assert set(view.transitive_suppliers) == {"uw", "tank"}
    assert view.transitive_dependents == ("hb",)
    assert view.on_cycle is False
    tank = dependency_view(graph, "tank")
    assert tank.transitive_dependents == ("ww", "hb")  # breadth first
    assert tank.transitive_suppliers == ("uw",)


def test_dependency_view_on_a_cycle() -> None:
    graph = CascadeGraph(
        [node("a"), node("b"), node("c")], [dep("a", "b"), dep("b", "a", IT), dep("c", "a")]
    )
    view = dependency_view(graph, "a")
    assert view.on_cycle is True
    assert view.transitive_suppliers == ("b",)
    assert set(view.transitive_dependents) == {"b", "c"}
    with pytest.raises(ValueError, match="Unbekannte Einrichtung „zz“"):
        dependency_view(graph, "zz")


# --- input checks (German messages) -----------------------------------------------------


def test_invalid_input_is_refused_in_german() -> None:
    with pytest.raises(ValueError, match="unbekannte Einrichtung „nirgends“"):
        CascadeGraph([node("a")], [dep("a", "nirgends")])
    with pytest.raises(ValueError, match="doppelt"):
        CascadeGraph([node("a"), node("a")], [])
    with pytest.raises(ValueError, match="Toleranz"):
        CascadeGraph([node("a"), node("b")], [dep("a", "b", tol=-1)])
    with pytest.raises(ValueError, match="Toleranz"):
        CascadeGraph([node("a"), node("b")], [dep("a", "b", tol=math.nan)])
    with pytest.raises(ValueError, match="Unbekannte Abhängigkeitsart „Gas“"):
        CascadeGraph([node("a"), node("b")], [dep("a", "b", kind="Gas")])
    with pytest.raises(ValueError, match="Unbekannter Status"):
        CascadeGraph([node("a", status="kaputt")], [])
    with pytest.raises(ValueError, match="Autarkiezeit"):
        CascadeGraph([node("a", generator_autonomy_h=-2)], [])
    with pytest.raises(ValueError, match="Versorgte Personen"):
        CascadeGraph([node("a", -1)], [])
    with pytest.raises(ValueError, match="Prognosehorizont"):
        Scenario(horizon_h=-1)
    with pytest.raises(ValueError, match="angenommenen Ausfall: x"):
        compute_cascade(CascadeGraph([node("a")], []), Scenario(fail_ids={"x"}))


def test_kind_values_are_the_german_ones_of_store_and_ui() -> None:
    assert [k.value for k in DependencyKind] == [
        "Strom",
        "Wasser",
        "Telekommunikation/IT",
        "Kraftstoff",
        "Verkehr",
        "Sonstiges",
    ]


def test_a_single_id_string_is_one_facility_not_its_letters() -> None:
    sc = Scenario(fail_ids="uw", area_outages="Kreuzau")
    assert sc.fail_ids == frozenset({"uw"})
    assert sc.area_outages == frozenset({"Kreuzau"})


def test_json_form_for_the_command_line() -> None:
    result = run(*water_chain(), fail_ids=["uw"], horizon_h=INF)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["horizon_h"] is None
    assert data["scenario"] == {"fail": ["uw"], "area_outages": [], "use_stored_state": True}
    assert [e["facility_id"] for e in data["timeline"]] == ["uw", "ww", "hb"]
    assert data["timeline"][1]["cause"] == {
        "kind": "Notstrom erschöpft",
        "supplier_id": "uw",
        "dependency_kind": "Strom",
        "municipality": None,
        "text": "Notstrom erschöpft (Strom: Ausfall Umspannwerk Musterdorf)",
    }
    assert data["timeline"][2]["persons_cumulative"] == 25_000


# --- reference: slow fixed-point iteration of the same rules ----------------------------


def reference_times(
    nodes: Sequence[CascadeNode], deps: Sequence[CascadeDependency], sc: Scenario
) -> dict[str, float]:
    """Descend from "never fails" by applying every rule to every facility until
    nothing changes (the greatest fixed point); written independently of the
    production/priority-queue machinery."""
    incoming: dict[str, list[CascadeDependency]] = defaultdict(list)
    for d in deps:
        incoming[d.dependent_id].append(d)
    areas = {" ".join(m.split()).casefold() for m in sc.area_outages}

    def evaluate(n: CascadeNode, f: dict[str, float]) -> float:
        raw = FacilityStatus(n.status)
        status = raw if sc.use_stored_state else FacilityStatus.OPERATIONAL
        if status is FacilityStatus.FAILED:
            return -(n.failed_since_h or 0.0)
        autonomy = n.generator_autonomy_h
        has_gen = autonomy is not None or raw is FacilityStatus.EMERGENCY_POWER
        gen = autonomy if autonomy is not None else 0.0
        running = status is FacilityStatus.EMERGENCY_POWER
        lost: dict[DependencyKind, list[float]] = defaultdict(list)
        for d in incoming[n.id]:
            lost[DependencyKind(d.kind)].append(f[d.supplier_id] + d.tolerance_h)
        fuel = lost.pop(FUEL, None) if has_gen else None
        fuel_lost = max(fuel) if fuel else -INF
        options = []
        if n.id in sc.fail_ids:
            options.append(0.0)
        for kind, times_lost in lost.items():
            if kind is POWER and has_gen:
                if not running:
                    options.append(max(max(times_lost), fuel_lost) + gen)
            else:
                options.append(max(times_lost))
        in_area = n.municipality is not None and n.municipality.casefold() in areas
        if in_area and not running:
            options.append(max(0.0, fuel_lost) + gen if has_gen else 0.0)
        if running:
            rest = n.generator_remaining_h if n.generator_remaining_h is not None else autonomy
            if rest is not None:
                options.append(max(0.0, fuel_lost) + rest)
        return min(options, default=INF)

    f = {n.id: INF for n in nodes}
    for _ in range(len(nodes) + 2):
        new = {n.id: evaluate(n, f) for n in nodes}
        if new == f:
            return f
        f = new
    raise AssertionError("reference iteration did not settle")


MUNICIPALITIES = ("Kreuzau", "Düren", None)
KIND_WEIGHTS = [POWER, POWER, POWER, FUEL, FUEL, WATER, IT, DependencyKind.TRANSPORT]


@st.composite
def networks(draw, max_nodes: int = 10, max_deps: int = 25):
    n = draw(st.integers(1, max_nodes))
    nodes = []
    for i in range(n):
        status = draw(
            st.sampled_from(
                [
                    "betriebsbereit",
                    "betriebsbereit",
                    "eingeschränkt",
                    "unbekannt",
                    "ausgefallen",
                    "Notstrombetrieb",
                    "Notstrombetrieb",
                ]
            )
        )
        nodes.append(
            CascadeNode(
                id=f"n{i}",
                name=f"Musterobjekt {i}",
                persons_supplied=draw(st.integers(0, 1000)),
                status=status,
                generator_autonomy_h=draw(st.sampled_from([None, None, 0.0, 4.0, 8.0])),
                generator_remaining_h=draw(st.sampled_from([None, 0.0, 3.0, 6.0])),
                failed_since_h=draw(st.sampled_from([None, 0.0, 2.0, 5.0])),
                municipality=draw(st.sampled_from(MUNICIPALITIES)),
            )
        )
    ids = st.integers(0, n - 1).map(lambda i: f"n{i}")
    deps = draw(
        st.lists(
            st.builds(
                CascadeDependency,
                ids,
                ids,
                st.sampled_from(KIND_WEIGHTS),
                st.sampled_from([0.0, 0.0, 1.0, 2.0, 5.0]),
            ),
            max_size=max_deps,
        )
    )
    return nodes, deps


@st.composite
def scenarios(draw, nodes: Sequence[CascadeNode]):
    ids = [n.id for n in nodes]
    return Scenario(
        fail_ids=draw(st.sets(st.sampled_from(ids), max_size=3)),
        area_outages=draw(st.sets(st.sampled_from(["Kreuzau", "Düren"]), max_size=2)),
        horizon_h=draw(st.sampled_from([0.0, 5.0, 12.0, 72.0, INF])),
        use_stored_state=draw(st.booleans()),
    )


def full_times(graph: CascadeGraph, sc: Scenario) -> dict[str, float]:
    unlimited = Scenario(sc.fail_ids, sc.area_outages, INF, sc.use_stored_state)
    result = compute_cascade(graph, unlimited)
    return {n.id: result.failure_hours.get(n.id, INF) for n in graph.nodes}


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_equals_reference_fixed_point_iteration(data) -> None:
    nodes, deps = data.draw(networks())
    sc = data.draw(scenarios(nodes))
    result = compute_cascade(CascadeGraph(nodes, deps), sc)
    reference = reference_times(nodes, deps, sc).items()
    expected = {k: v for k, v in reference if v < INF and v <= sc.horizon_h}
    assert set(result.failure_hours) == set(expected)
    for ident, hours in expected.items():
        assert result.failure_hours[ident] == pytest.approx(hours, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_timeline_is_ordered_cut_at_horizon_and_sums_persons(data) -> None:
    nodes, deps = data.draw(networks())
    sc = data.draw(scenarios(nodes))
    result = compute_cascade(CascadeGraph(nodes, deps), sc)
    hours = [e.hours for e in result.timeline]
    assert hours == sorted(hours)
    assert all(h <= sc.horizon_h for h in hours)
    assert len({e.facility_id for e in result.timeline}) == len(result.timeline)
    persons = {n.id: n.persons_supplied for n in nodes}
    running = 0
    for e in result.timeline:
        running += persons[e.facility_id]
        assert e.persons_cumulative == running
    points = forecast(result, [h for h in (0.0, 5.0, 12.0) if h <= sc.horizon_h])
    for p in points:
        assert p.persons_affected == result.persons_affected_by(p.hours)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_removing_a_start_failure_never_makes_anything_fail_earlier(data) -> None:
    nodes, deps = data.draw(networks())
    sc = data.draw(scenarios(nodes))
    graph = CascadeGraph(nodes, deps)
    with_all = full_times(graph, sc)
    for ident in sc.fail_ids:
        fewer = Scenario(sc.fail_ids - {ident}, sc.area_outages, INF, sc.use_stored_state)
        after = full_times(graph, fewer)
        assert all(after[k] >= with_all[k] for k in with_all)
    for municipality in sc.area_outages:
        fewer = Scenario(sc.fail_ids, sc.area_outages - {municipality}, INF, sc.use_stored_state)
        after = full_times(graph, fewer)
        assert all(after[k] >= with_all[k] for k in with_all)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_adding_a_redundant_supplier_never_makes_anything_fail_earlier(data) -> None:
    nodes, deps = data.draw(networks())
    if not deps:
        return
    sc = data.draw(scenarios(nodes))
    template = data.draw(st.sampled_from(deps))
    extra = CascadeDependency(
        template.dependent_id,
        data.draw(st.sampled_from([n.id for n in nodes])),
        template.kind,  # same kind as an existing dependency: redundancy, not a new need
        data.draw(st.sampled_from([0.0, 1.0, 3.0])),
    )
    before = full_times(CascadeGraph(nodes, deps), sc)
    after = full_times(CascadeGraph(nodes, [*deps, extra]), sc)
    assert all(after[k] >= before[k] for k in before)


@settings(max_examples=40, deadline=2000)
@given(data=st.data())
def test_dense_random_graphs_with_cycles_finish(data) -> None:
    nodes, deps = data.draw(networks(max_nodes=60, max_deps=400))
    sc = data.draw(scenarios(nodes))
    graph = CascadeGraph(nodes, deps)
    result = compute_cascade(graph, sc)
    assert len(result.timeline) <= len(nodes)
    for n in nodes[:5]:
        view = dependency_view(graph, n.id)
        assert n.id not in view.transitive_suppliers
        assert n.id not in view.transitive_dependents
