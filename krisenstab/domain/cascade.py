"""Failure cascade of critical infrastructure (KRITIS-Kaskade).

Pure computation, no I/O: the services layer loads facilities and dependencies,
builds a :class:`CascadeGraph` once and asks :func:`compute_cascade` for any
number of scenarios. Nothing here changes stored state; a what-if only computes.

Rules, in hours after the start of the forecast (negative = already before):

* A facility depends on suppliers, each dependency with a kind (Strom, Wasser,
  ...) and a tolerance (how long it bridges the loss: a tank, a buffer, a UPS).
  When a supplier fails at ``t`` the dependency is lost at ``t + tolerance``.
* Redundant suppliers of the same kind: that kind is lost only when all of
  them are lost (maximum). Different kinds: the facility fails as soon as any
  one kind is lost (minimum).
* Emergency power: a facility with a generator (known autonomy ``A``, or status
  Notstrombetrieb) survives the loss of its power supply for ``A`` hours. Its
  ``Kraftstoff`` dependencies feed that generator rather than the facility:
  while a fuel supplier works the tank is kept full, so the generator runs dry
  at ``max(power lost, fuel supply lost) + A``. A grid-powered facility
  therefore does not fail because the fuel depot fails; this is the fuel chain
  that decides how long water supply survives a blackout (BBK, Praxis im
  Bevölkerungsschutz Band 18). A generator already running at the start is
  kept at its present level instead: it runs dry at
  ``max(0, fuel supply lost) + remaining hours``. Facilities without a
  generator treat ``Kraftstoff`` like any other kind (vehicles, heating).
* Start conditions: facilities stored as ``ausgefallen`` fail at ``-failed_since_h``
  (0 if unknown) and keep that time whatever else happens, because it is an
  observed fact. Facilities stored in ``Notstrombetrieb`` have already lost
  their power; they fail when the generator runs dry (``generator_remaining_h``)
  even if nothing else happens, and later power failures upstream change
  nothing for them. What-ifs add failures at t = 0 (a facility already failed
  earlier keeps its earlier time) and area power outages (every facility of a
  municipality loses its public power supply at t = 0, substations included,
  so their dependents elsewhere follow through the cascade). Facilities
  ``eingeschränkt`` or ``unbekannt`` count as working; the latter are listed in
  the result so the forecast can say what it assumed.
* Cycles are allowed. A facility whose failure cannot be derived from the
  start conditions in finitely many steps never fails.

Algorithm: every failure time is the minimum over *productions* (one per kind
of supply, plus start conditions) of ``max(constant, max_i(F(arg_i) + offset_i))``
with every offset ≥ 0. These are superior functions in Knuth's sense ("A
generalization of Dijkstra's algorithm", 1977), so a priority queue settles
the facilities in order of failure time, each production being evaluated once
when its last argument is settled: O((V + E) log V), no iteration to
convergence, and no way for a cycle to loop.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from krisenstab.domain.power import FacilityStatus, parse_status

NodeId = str


class DependencyKind(StrEnum):
    """Kind of supply a facility depends on; the values are what store and UI show."""

    POWER = "Strom"
    WATER = "Wasser"
    TELECOM_IT = "Telekommunikation/IT"
    FUEL = "Kraftstoff"
    TRANSPORT = "Verkehr"
    OTHER = "Sonstiges"


def parse_kind(value: str | DependencyKind) -> DependencyKind:
    """The dependency kind for a stored value; a German error for anything unknown."""
    try:
        return DependencyKind(value)
    except ValueError:
        allowed = ", ".join(k.value for k in DependencyKind)
        raise ValueError(f"Unbekannte Abhängigkeitsart „{value}“ (erlaubt: {allowed})") from None


@dataclass(frozen=True, slots=True)
class CascadeNode:
    """A facility as the cascade sees it.

    ``generator_autonomy_h``: hours a full generator run lasts (None: no
    generator, or not known). ``generator_remaining_h``: for a facility in
    Notstrombetrieb, the hours left now (see ``power.remaining_hours``).
    ``failed_since_h``: for a failed facility, how many hours ago it failed.
    """

    id: NodeId
    name: str
    persons_supplied: int = 0
    status: FacilityStatus | str = FacilityStatus.OPERATIONAL
    generator_autonomy_h: float | None = None
    generator_remaining_h: float | None = None
    failed_since_h: float | None = None
    municipality: str | None = None
    sector: str | None = None


@dataclass(frozen=True, slots=True)
class CascadeDependency:
    """``dependent_id`` needs ``kind`` from ``supplier_id``, bridging ``tolerance_h`` hours."""

    dependent_id: NodeId
    supplier_id: NodeId
    kind: DependencyKind | str = DependencyKind.POWER
    tolerance_h: float = 0.0


@dataclass(frozen=True)
class Scenario:
    """Start conditions of one forecast; combinable, never written anywhere.

    ``fail_ids``: facilities assumed to fail at t = 0 (``--fail A,B``).
    ``area_outages``: municipalities whose public power supply is lost at t = 0.
    ``use_stored_state``: start from the stored statuses (failed facilities,
    running generators); off, every facility starts as betriebsbereit.
    ``horizon_h``: nothing after this many hours is reported.
    """

    fail_ids: frozenset[NodeId] = field(default_factory=frozenset)
    area_outages: frozenset[str] = field(default_factory=frozenset)
    horizon_h: float = 72.0
    use_stored_state: bool = True

    def __post_init__(self) -> None:
        # Accept any iterable from callers (lists from the CLI) but keep the value hashable;
        # a lone string is one name, not a set of letters.
        for attr in ("fail_ids", "area_outages"):
            value = getattr(self, attr)
            object.__setattr__(self, attr, frozenset((value,) if isinstance(value, str) else value))
        if math.isnan(self.horizon_h) or self.horizon_h < 0:
            raise ValueError(f"Der Prognosehorizont muss ≥ 0 h sein, nicht {self.horizon_h!r}")


class CauseKind(StrEnum):
    INITIAL = "Ausgangslage"
    ASSUMED = "Annahme"
    SUPPLIER = "Versorgung ausgefallen"
    POWER_EXHAUSTED = "Notstrom erschöpft"
    AREA_OUTAGE = "Flächenstromausfall"


class Cause(NamedTuple):
    """Why a facility fails (a tuple: results are built by the thousand).

    For ``SUPPLIER`` the supplier and kind that decided it (with redundancy:
    the last of them to be lost). For ``POWER_EXHAUSTED`` what ended the
    generator's run: the loss of a power supplier or of the fuel supplier
    (``supplier_id``/``dependency_kind``), an area outage (``municipality``),
    or nothing at all (already on generator at the start).
    """

    kind: CauseKind
    supplier_id: NodeId | None = None
    dependency_kind: DependencyKind | None = None
    municipality: str | None = None

    def describe(self, names: Mapping[NodeId, str] | None = None) -> str:
        """German text for the timeline, e.g. ``Strom: Ausfall Umspannwerk Muster``."""
        supplier = None
        if self.supplier_id is not None:
            supplier = (names or {}).get(self.supplier_id, self.supplier_id)
        if self.kind is CauseKind.INITIAL:
            return "Ausgangslage: bereits ausgefallen"
        if self.kind is CauseKind.ASSUMED:
            return "Annahme: Ausfall zu Beginn"
        if self.kind is CauseKind.AREA_OUTAGE:
            return f"Flächenstromausfall {self.municipality}"
        if self.kind is CauseKind.SUPPLIER:
            return f"{self.dependency_kind}: Ausfall {supplier}"
        if supplier is not None:
            return f"Notstrom erschöpft ({self.dependency_kind}: Ausfall {supplier})"
        if self.municipality is not None:
            return f"Notstrom erschöpft (Flächenstromausfall {self.municipality})"
        return "Notstrom erschöpft"


class TimelineEvent(NamedTuple):
    """One facility failing. ``persons_cumulative`` sums ``persons_supplied``
    over all failures so far; the same people may be counted by several
    facilities (power and water of one town), as the records give no overlap.
    A tuple rather than a frozen dataclass: a large cascade builds thousands
    and a frozen dataclass costs ten times as much to create."""

    hours: float
    facility_id: NodeId
    name: str
    persons_supplied: int
    cause: Cause
    cause_text: str
    persons_cumulative: int
    municipality: str | None = None
    sector: str | None = None


@dataclass(frozen=True)
class CascadeResult:
    """The timeline of one scenario, ordered by failure time, cut at the horizon.

    Notes for the reader of the forecast: ``status_unknown`` facilities were
    assumed to be working; ``reserve_unknown`` facilities run on a generator of
    unknown reserve and were assumed never to run dry; ``reserve_assumed_full``
    run on a generator whose remaining hours are unknown, so a full tank was
    assumed (an optimistic forecast for them).
    """

    scenario: Scenario
    timeline: tuple[TimelineEvent, ...]
    failure_hours: Mapping[NodeId, float]
    facility_count: int
    status_unknown: tuple[NodeId, ...] = ()
    reserve_unknown: tuple[NodeId, ...] = ()
    reserve_assumed_full: tuple[NodeId, ...] = ()
    unmatched_municipalities: tuple[str, ...] = ()

    @property
    def horizon_h(self) -> float:
        return self.scenario.horizon_h

    def failed_by(self, hours: float) -> tuple[NodeId, ...]:
        """Facilities down at ``hours`` after the start, in order of failure."""
        self._check_within_horizon(hours)
        return tuple(e.facility_id for e in self.timeline if e.hours <= hours)

    def persons_affected_by(self, hours: float) -> int:
        self._check_within_horizon(hours)
        return sum(e.persons_supplied for e in self.timeline if e.hours <= hours)

    def _check_within_horizon(self, hours: float) -> None:
        if hours > self.scenario.horizon_h:
            raise ValueError(
                f"{_fmt_h(hours)} h liegen hinter dem Prognosehorizont von "
                f"{_fmt_h(self.scenario.horizon_h)} h"
            )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (``cascade --json``); an infinite horizon becomes null."""
        s = self.scenario
        return {
            "horizon_h": None if math.isinf(s.horizon_h) else s.horizon_h,
            "scenario": {
                "fail": sorted(s.fail_ids),
                "area_outages": sorted(s.area_outages),
                "use_stored_state": s.use_stored_state,
            },
            "facility_count": self.facility_count,
            "timeline": [
                {
                    "hours": e.hours,
                    "facility_id": e.facility_id,
                    "name": e.name,
                    "persons_supplied": e.persons_supplied,
                    "persons_cumulative": e.persons_cumulative,
                    "municipality": e.municipality,
                    "sector": e.sector,
                    "cause": {
                        "kind": e.cause.kind.value,
                        "supplier_id": e.cause.supplier_id,
                        "dependency_kind": (
                            None
                            if e.cause.dependency_kind is None
                            else e.cause.dependency_kind.value
                        ),
                        "municipality": e.cause.municipality,
                        "text": e.cause_text,
                    },
                }
                for e in self.timeline
            ],
            "status_unknown": list(self.status_unknown),
            "reserve_unknown": list(self.reserve_unknown),
            "reserve_assumed_full": list(self.reserve_assumed_full),
            "unmatched_municipalities": list(self.unmatched_municipalities),
        }


def _fmt_h(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _muni_key(name: str) -> str:
    return " ".join(name.split()).casefold()


_CK_SUPPLIER = CauseKind.SUPPLIER
_CK_EXHAUSTED = CauseKind.POWER_EXHAUSTED
_CK_AREA = CauseKind.AREA_OUTAGE
_CAUSE_INITIAL = Cause(CauseKind.INITIAL)
_CAUSE_ASSUMED = Cause(CauseKind.ASSUMED)
_CAUSE_RUNNING_DRY = Cause(CauseKind.POWER_EXHAUSTED)

# Production types. A production is max(const, max_i(F(arg_i) + offset_i)).
_P_KIND = 0  # one kind of supply (max over redundant suppliers)
_P_POWER_GEN = 1  # power suppliers and fuel suppliers, plus generator autonomy
_P_AREA = 2  # area power outage at t = 0 (plus generator autonomy, fed by fuel)
_P_RUNNING = 3  # generator already running at the start

# Cause codes stored per facility during a run, besides production indices.
_C_INITIAL = -1
_C_ASSUMED = -2

_NEG_INF = -math.inf
# StrEnum members hash like their values, so one lookup serves both strings and members.
_KIND_BY_VALUE: dict[str, DependencyKind] = {k.value: k for k in DependencyKind}
_STATUS_BY_VALUE: dict[str, FacilityStatus] = {s.value: s for s in FacilityStatus}


class CascadeGraph:
    """Facilities and dependencies, validated and compiled for repeated runs."""

    def __init__(
        self, nodes: Iterable[CascadeNode], dependencies: Iterable[CascadeDependency]
    ) -> None:
        self.nodes: tuple[CascadeNode, ...] = tuple(nodes)
        self.dependencies: tuple[CascadeDependency, ...] = tuple(dependencies)
        index: dict[NodeId, int] = {}
        for i, node in enumerate(self.nodes):
            if node.id in index:
                raise ValueError(f"Einrichtung „{node.id}“ ist doppelt erfasst")
            index[node.id] = i
        self._index = index
        n = len(self.nodes)
        self._ids = [node.id for node in self.nodes]
        self._names = {node.id: node.name for node in self.nodes}

        status_of = _STATUS_BY_VALUE
        self._status: list[FacilityStatus] = []
        self._by_muni: dict[str, list[int]] = {}
        for i, node in enumerate(self.nodes):
            status = status_of.get(node.status)
            self._status.append(status if status is not None else parse_status(node.status))
            if node.persons_supplied < 0:
                raise ValueError(
                    f"Versorgte Personen von „{node.name}“ dürfen nicht negativ sein "
                    f"({node.persons_supplied})"
                )
            # "not x >= 0" also catches NaN.
            for value, what in (
                (node.generator_autonomy_h, "Die Autarkiezeit"),
                (node.generator_remaining_h, "Die Notstrom-Restzeit"),
                (node.failed_since_h, "Die Ausfalldauer"),
            ):
                if value is not None and not value >= 0:
                    raise ValueError(f"{what} von „{node.name}“ muss ≥ 0 h sein, nicht {value!r}")
            if node.municipality:
                self._by_muni.setdefault(_muni_key(node.municipality), []).append(i)

        self._failed_nodes = [v for v, st in enumerate(self._status) if st is FacilityStatus.FAILED]
        self._running_nodes = [
            v for v, st in enumerate(self._status) if st is FacilityStatus.EMERGENCY_POWER
        ]
        self._unknown_nodes = [
            v for v, st in enumerate(self._status) if st is FacilityStatus.UNKNOWN
        ]

        kind_of = _KIND_BY_VALUE
        dep_kind: list[DependencyKind] = []
        dep_supplier: list[int] = []
        dep_dependent: list[int] = []
        dep_tolerance: list[float] = []
        # Per dependent: kind -> dependency indices, in input order.
        groups_of: list[dict[DependencyKind, list[int]] | None] = [None] * n
        for d, dep in enumerate(self.dependencies):
            kind = kind_of.get(dep.kind)
            if kind is None:
                kind = parse_kind(dep.kind)
            v = index.get(dep.dependent_id)
            s = index.get(dep.supplier_id)
            if v is None or s is None:
                missing = dep.dependent_id if v is None else dep.supplier_id
                raise ValueError(
                    f"Abhängigkeit verweist auf eine unbekannte Einrichtung „{missing}“"
                )
            tol = dep.tolerance_h
            if tol is None or not tol >= 0 or tol == math.inf:
                raise ValueError(
                    f"Die Toleranz der Abhängigkeit „{self.nodes[v].name}“ → "
                    f"„{self.nodes[s].name}“ muss eine Zahl ≥ 0 h sein, nicht {tol!r}"
                )
            dep_kind.append(kind)
            dep_supplier.append(s)
            dep_dependent.append(v)
            dep_tolerance.append(float(tol))
            groups = groups_of[v]
            if groups is None:
                groups_of[v] = {kind: [d]}
            else:
                same = groups.get(kind)
                if same is None:
                    groups[kind] = [d]
                else:
                    same.append(d)
        self._dep_kind = dep_kind
        self._dep_supplier = dep_supplier
        self._dep_dependent = dep_dependent
        self._dep_tolerance = dep_tolerance
        self._dep_supplier_id = [self._ids[s] for s in dep_supplier]
        self._adjacency: tuple[list[list[int]], list[list[int]]] | None = None
        self._compile(groups_of)

    def _compile(self, groups_of: list[dict[DependencyKind, list[int]] | None]) -> None:
        n = len(self.nodes)
        prod_node: list[int] = []
        prod_type: list[int] = []
        prod_const: list[float] = []
        prod_nargs: list[int] = []
        prod_enabled = bytearray()
        # occ[s]: (production, offset, dependency index) for every production reading F(s).
        occ: list[list[tuple[int, float, int]]] = [[] for _ in range(n)]
        power_prod = [-1] * n
        area_prod = [-1] * n
        running_prod = [-1] * n
        has_generator = bytearray(n)
        self._reserve_assumed_full: list[int] = []
        self._reserve_unknown_stored: list[int] = []
        self._reserve_unknown_plain: list[int] = []

        suppliers = self._dep_supplier
        tolerance = self._dep_tolerance
        power = DependencyKind.POWER
        fuel_kind = DependencyKind.FUEL
        running = FacilityStatus.EMERGENCY_POWER
        statuses = self._status

        def add(v: int, ptype: int, const: float, args: list[tuple[int, float]], on: int) -> int:
            p = len(prod_node)
            prod_node.append(v)
            prod_type.append(ptype)
            prod_const.append(const)
            prod_nargs.append(len(args))
            prod_enabled.append(on)
            for d, offset in args:
                occ[suppliers[d]].append((p, offset, d))
            return p

        for v, node in enumerate(self.nodes):
            status = statuses[v]
            autonomy = node.generator_autonomy_h
            has_gen = autonomy is not None or status is running
            groups = groups_of[v]
            if not has_gen:
                # The common case, kept lean: one production per kind, no generator rules.
                if groups is not None:
                    for kind, ds in groups.items():
                        p = len(prod_node)
                        prod_node.append(v)
                        prod_type.append(_P_KIND)
                        prod_const.append(_NEG_INF)
                        prod_nargs.append(len(ds))
                        prod_enabled.append(1)
                        for d in ds:
                            occ[suppliers[d]].append((p, tolerance[d], d))
                        if kind is power:
                            power_prod[v] = p
                if node.municipality:
                    area_prod[v] = add(v, _P_AREA, 0.0, [], 0)
                continue

            has_generator[v] = 1
            # A generator of unknown autonomy is counted as one that lasts no time at
            # all: the forecast must not promise hours nobody has recorded.
            gen_h = float(autonomy) if autonomy is not None else 0.0
            groups = dict(groups) if groups is not None else {}
            fuel = groups.pop(fuel_kind, [])
            fuel_args = [(d, tolerance[d] + gen_h) for d in fuel]
            for kind, ds in groups.items():
                if kind is power:
                    args = [(d, tolerance[d] + gen_h) for d in ds] + fuel_args
                    power_prod[v] = add(v, _P_POWER_GEN, _NEG_INF, args, 1)
                else:
                    add(v, _P_KIND, _NEG_INF, [(d, tolerance[d]) for d in ds], 1)
            if node.municipality:
                area_prod[v] = add(v, _P_AREA, gen_h, fuel_args, 0)
            if autonomy is None:
                self._reserve_unknown_plain.append(v)
            if status is running:
                remaining = node.generator_remaining_h
                if remaining is None and autonomy is not None:
                    remaining = autonomy
                    self._reserve_assumed_full.append(v)
                if remaining is None:
                    self._reserve_unknown_stored.append(v)
                    continue
                # A working fuel supplier keeps the tank at today's level until it fails.
                remaining = float(remaining)
                args = [(d, tolerance[d] + remaining) for d in fuel]
                running_prod[v] = add(v, _P_RUNNING, remaining, args, 0)

        self._prod_node = prod_node
        self._prod_type = prod_type
        self._prod_const = prod_const
        self._prod_nargs = prod_nargs
        self._prod_base_enabled = prod_enabled
        self._occ = occ
        self._power_prod = power_prod
        self._area_prod = area_prod
        self._running_prod = running_prod
        self._has_generator = has_generator

    def _edges(self) -> tuple[list[list[int]], list[list[int]]]:
        """Dependency indices per dependent and per supplier, built on first use."""
        if self._adjacency is None:
            n = len(self.nodes)
            suppliers_of: list[list[int]] = [[] for _ in range(n)]
            dependents_of: list[list[int]] = [[] for _ in range(n)]
            for d, v in enumerate(self._dep_dependent):
                suppliers_of[v].append(d)
            for d, s in enumerate(self._dep_supplier):
                dependents_of[s].append(d)
            self._adjacency = (suppliers_of, dependents_of)
        return self._adjacency

    def __len__(self) -> int:
        return len(self.nodes)

    def __contains__(self, facility_id: object) -> bool:
        return facility_id in self._index

    def node(self, facility_id: NodeId) -> CascadeNode:
        return self.nodes[self._node_index(facility_id)]

    def _node_index(self, facility_id: NodeId) -> int:
        try:
            return self._index[facility_id]
        except KeyError:
            raise ValueError(f"Unbekannte Einrichtung „{facility_id}“") from None


def compute_cascade(graph: CascadeGraph, scenario: Scenario | None = None) -> CascadeResult:
    """Failure timeline of ``graph`` under ``scenario`` (default: stored state, 72 h)."""
    sc = scenario if scenario is not None else Scenario()
    g = graph
    n = len(g.nodes)
    horizon = sc.horizon_h
    stored = sc.use_stored_state

    unknown_ids = sorted(i for i in sc.fail_ids if i not in g._index)
    if unknown_ids:
        raise ValueError(
            "Unbekannte Einrichtung(en) für den angenommenen Ausfall: " + ", ".join(unknown_ids)
        )

    prod_node = g._prod_node
    remaining = g._prod_nargs.copy()
    enabled = bytearray(g._prod_base_enabled)
    value = g._prod_const.copy()  # running max(const, F(arg) + offset)
    decider = [-1] * len(prod_node)  # dependency giving the max so far; -1: the constant
    time = [math.inf] * n
    why = [0] * n
    locked = bytearray(n)
    heap: list[tuple[float, int]] = []

    def complete(p: int) -> None:
        v = prod_node[p]
        x = value[p]
        if not locked[v] and x < time[v]:
            time[v] = x
            why[v] = p
            heap.append((x, v))  # heapified once all start conditions are in

    if stored:
        for v in g._failed_nodes:
            since = g.nodes[v].failed_since_h
            time[v] = -since if since else 0.0
            why[v] = _C_INITIAL
            locked[v] = 1
            heap.append((time[v], v))
        for v in g._running_nodes:
            # Power is already lost: the running generator replaces every power rule.
            for p in (g._power_prod[v], g._area_prod[v]):
                if p >= 0:
                    enabled[p] = 0
            p = g._running_prod[v]
            if p >= 0:
                enabled[p] = 1
                if remaining[p] == 0:
                    complete(p)
    for facility_id in sorted(sc.fail_ids, key=g._index.__getitem__):
        v = g._index[facility_id]
        if not locked[v] and time[v] > 0.0:
            time[v] = 0.0
            why[v] = _C_ASSUMED
            heap.append((0.0, v))
    unmatched: list[str] = []
    for municipality in sorted(sc.area_outages):
        members = g._by_muni.get(_muni_key(municipality))
        if not members:
            unmatched.append(municipality)
            continue
        for v in members:
            p = g._area_prod[v]
            if stored and g._status[v] is FacilityStatus.EMERGENCY_POWER:
                continue
            enabled[p] = 1
            if remaining[p] == 0:
                complete(p)
    heapq.heapify(heap)

    occ = g._occ
    done = bytearray(n)
    settled: list[int] = []
    pop = heapq.heappop
    push = heapq.heappush
    while heap:
        t, u = pop(heap)
        if done[u] or t > time[u]:
            continue
        if t > horizon:
            break
        done[u] = 1
        settled.append(u)
        for p, offset, d in occ[u]:
            x = t + offset
            if x > value[p]:
                value[p] = x
                decider[p] = d
            r = remaining[p] - 1
            remaining[p] = r
            if r == 0 and enabled[p]:
                v = prod_node[p]
                x = value[p]
                if not locked[v] and x < time[v]:
                    time[v] = x
                    why[v] = p
                    push(heap, (x, v))

    events: list[TimelineEvent] = []
    failure_hours: dict[NodeId, float] = {}
    texts: dict[Cause, str] = {}  # many facilities share a cause (a big substation)
    names = g._names
    nodes = g.nodes
    prod_type = g._prod_type
    dep_supplier_id = g._dep_supplier_id
    dep_kind = g._dep_kind
    cumulative = 0
    for v in settled:
        node = nodes[v]
        code = why[v]
        if code == _C_INITIAL:
            cause = _CAUSE_INITIAL
        elif code == _C_ASSUMED:
            cause = _CAUSE_ASSUMED
        else:
            d = decider[code]
            if d >= 0:
                kind = _CK_SUPPLIER if prod_type[code] == _P_KIND else _CK_EXHAUSTED
                cause = Cause(kind, dep_supplier_id[d], dep_kind[d], None)
            elif prod_type[code] == _P_AREA:
                kind = _CK_EXHAUSTED if g._has_generator[v] else _CK_AREA
                cause = Cause(kind, None, None, node.municipality)
            else:
                cause = _CAUSE_RUNNING_DRY
        text = texts.get(cause)
        if text is None:
            text = texts[cause] = cause.describe(names)
        hours = time[v]
        persons = node.persons_supplied
        cumulative += persons
        failure_hours[node.id] = hours
        events.append(
            TimelineEvent(
                hours,
                node.id,
                node.name,
                persons,
                cause,
                text,
                cumulative,
                node.municipality,
                node.sector,
            )
        )

    ids = g._ids
    if stored:
        status_unknown = tuple(ids[v] for v in g._unknown_nodes)
        reserve_unknown = tuple(ids[v] for v in g._reserve_unknown_stored)
        assumed_full = tuple(ids[v] for v in g._reserve_assumed_full)
    else:
        status_unknown = ()
        reserve_unknown = tuple(ids[v] for v in g._reserve_unknown_plain)
        assumed_full = ()
    return CascadeResult(
        scenario=sc,
        timeline=tuple(events),
        failure_hours=failure_hours,
        facility_count=n,
        status_unknown=status_unknown,
        reserve_unknown=reserve_unknown,
        reserve_assumed_full=assumed_full,
        unmatched_municipalities=tuple(unmatched),
    )


@dataclass(frozen=True, slots=True)
class ForecastPoint:
    """State at one checkpoint of the situation report's forecast."""

    hours: float
    failed_ids: tuple[NodeId, ...]
    newly_failed_ids: tuple[NodeId, ...]
    persons_affected: int


DEFAULT_CHECKPOINTS: tuple[float, ...] = (12.0, 24.0, 48.0, 72.0)


def forecast(
    result: CascadeResult, checkpoints: Iterable[float] = DEFAULT_CHECKPOINTS
) -> list[ForecastPoint]:
    """Facilities down and persons affected at each checkpoint (12/24/48/72 h).

    ``newly_failed_ids`` are those failing since the previous checkpoint; the
    first checkpoint counts everything down by then, the starting state included.
    """
    points = sorted(set(checkpoints))
    for h in points:
        result._check_within_horizon(h)
    out: list[ForecastPoint] = []
    events = result.timeline
    i = 0
    persons = 0
    failed: list[NodeId] = []
    for h in points:
        new: list[NodeId] = []
        while i < len(events) and events[i].hours <= h:
            new.append(events[i].facility_id)
            persons += events[i].persons_supplied
            i += 1
        failed.extend(new)
        out.append(ForecastPoint(h, tuple(failed), tuple(new), persons))
    return out


@dataclass(frozen=True, slots=True)
class DependencyView:
    """What one facility depends on and what depends on it.

    Transitive lists exclude the facility itself and are ordered by distance
    (breadth first); ``on_cycle`` tells whether it depends on itself via others.
    """

    facility_id: NodeId
    direct_suppliers: tuple[CascadeDependency, ...]
    direct_dependents: tuple[CascadeDependency, ...]
    transitive_suppliers: tuple[NodeId, ...]
    transitive_dependents: tuple[NodeId, ...]
    on_cycle: bool


def dependency_view(graph: CascadeGraph, facility_id: NodeId) -> DependencyView:
    """Direct and transitive suppliers and dependents of one facility."""
    g = graph
    start = g._node_index(facility_id)
    suppliers_of, dependents_of = g._edges()
    up, cycle_up = _reach(start, suppliers_of, g._dep_supplier)
    down, _ = _reach(start, dependents_of, g._dep_dependent)
    return DependencyView(
        facility_id=facility_id,
        direct_suppliers=tuple(g.dependencies[d] for d in suppliers_of[start]),
        direct_dependents=tuple(g.dependencies[d] for d in dependents_of[start]),
        transitive_suppliers=tuple(g.nodes[v].id for v in up),
        transitive_dependents=tuple(g.nodes[v].id for v in down),
        on_cycle=cycle_up,
    )


def _reach(start: int, edges: Sequence[list[int]], target: Sequence[int]) -> tuple[list[int], bool]:
    seen = {start}
    found: list[int] = []
    back_to_start = False
    queue = deque([start])
    while queue:
        u = queue.popleft()
        for d in edges[u]:
            w = target[d]
            if w == start:
                back_to_start = True
            if w not in seen:
                seen.add(w)
                found.append(w)
                queue.append(w)
    return found, back_to_start
