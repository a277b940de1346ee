"""SHACL validation compiled to SPARQL: the shapes run as queries inside the store.

pySHACL walks the data in Python, focus node by focus node, after copying the whole store
into an rdflib graph; at national scale (millions of triples) that takes minutes and
gigabytes. Here each constraint of ``ontology/*.shapes.ttl`` becomes one SPARQL query that
finds every offending focus node (and value) in one pass inside Oxigraph (or a SPARQL
endpoint). The answers are the same :class:`~pcr_graph.validation.results.Violation` objects
:func:`pcr_graph.validation.validate.validate` gives with pySHACL: one per SHACL validation result,
with the same focus node, path, message, severity and shape (tests compare the two on the
demo, on every bad fixture and on hostile edge cases).

How the queries are shaped, because Oxigraph's cost is per row looked up:

- a value check (``sh:class``, ``sh:node``) tests each *distinct* value once with a hash
  anti-join (``MINUS``) and joins only the bad values back to their focus nodes;
- an expression check (``sh:datatype``, ``sh:nodeKind``, ``sh:in``) filters the property's
  triples in one scan;
- focus-node membership is asked (``FILTER EXISTS``) only of the rows that are already bad,
  unless the shape has few focus nodes (under :data:`SMALL_TARGET`): then every check starts
  from them, with point lookups;
- ``sh:minCount 1`` is an anti-join, ``sh:maxCount 1`` counts triples per subject to pick
  candidates and checks only those for two distinct values.

The constraint kinds compiled are those the shapes use, with SHACL's semantics:
``sh:targetClass`` (instances of the class or of a subclass, through ``rdfs:subClassOf``
triples in the data), ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``, ``sh:targetNode``;
``sh:minCount``, ``sh:maxCount``, ``sh:class``, ``sh:datatype`` (a literal must be
well-formed for its datatype by XSD's rules, as Oxigraph's casts apply them: rdflib accepts
a few forms XSD does not, such as ``"2020-W01-1"^^xsd:date``, which pySHACL then passes and
this rejects), ``sh:nodeKind``, ``sh:hasValue``, ``sh:in``, ``sh:node``
(to value shapes made of ``sh:hasValue`` property shapes), ``sh:equals``, ``sh:disjoint``,
``sh:lessThan``, ``sh:lessThanOrEquals``, ``sh:minInclusive``, ``sh:minExclusive``,
``sh:maxInclusive``, ``sh:maxExclusive``, ``sh:minLength``, ``sh:maxLength``, ``sh:pattern``
(with ``sh:flags``), ``sh:languageIn``; every SHACL path (as the SPARQL property path that
means the same; zero-length ones only with few focus nodes); and on a node shape itself
(constraining the focus node) ``sh:class``, ``sh:datatype``, ``sh:nodeKind``, ``sh:in``,
``sh:node``, ``sh:hasValue``, ``sh:equals``, ``sh:disjoint`` and the value constraints
above. The SPARQL text of constants, paths and value tests comes from
:mod:`pcr_graph.validation.sparql_text`. Shapes using anything else raise
:class:`UnsupportedShapes`, and :func:`pcr_graph.validation.validate.validate` then falls
back to pySHACL.

Which shapes are validated follows SHACL's own definition (§2.1): every shape with a target,
typed ``sh:NodeShape``, ``sh:PropertyShape`` or not typed at all, including a property
shape with a target of its own and a class that is also a shape (an implicit class target).
Each is compiled whole or refused: none is skipped. On the W3C SHACL Core suite
(``tests/validation/test_w3c_shacl.py``) it compiles 68 of the 98 tests (66 when every check
scans the property), answers all of them as expected, and refuses the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from pcr_graph.store.engines import Store, run_concurrently
from pcr_graph.validation.sparql_text import (
    NODE_KINDS,
    UnsupportedShapes,
    comparable,
    count_of,
    datatype_test,
    sorted_terms,
    sparql_iri,
    sparql_path,
    sparql_term,
    value_tests,
)

if TYPE_CHECKING:
    from pcr_graph.validation.results import Violation


@dataclass(frozen=True)
class Check:
    """One compiled constraint: a SELECT whose every row is one validation result.

    The query projects ``?focus`` (and possibly the value node), one row per result.
    """

    shape: URIRef | BNode
    path: str
    message: str
    severity: URIRef
    component: str
    sparql: str


_TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
"""SHACL Core's target predicates (§2.1.3)."""
_TARGET_KEYS = {*_TARGETS, SH.target}
"""The core targets, and SHACL-AF's ``sh:target`` (never compiled: a shape with one is refused)."""
_VALUE_TEST_KEYS = {
    SH.minInclusive,
    SH.minExclusive,
    SH.maxInclusive,
    SH.maxExclusive,
    SH.minLength,
    SH.maxLength,
    SH.pattern,
    SH.flags,
    SH.languageIn,
}
"""Constraints on each value by itself: ranges, string length and pattern, languages."""
_NODE_SHAPE_KEYS = {
    RDF.type,
    RDFS.comment,
    RDFS.label,
    SH.property,
    SH.targetClass,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.targetNode,
    SH.deactivated,
    SH.name,
    SH.description,
    SH.message,
    SH.severity,
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH["in"],
    SH.node,
    SH.hasValue,
    SH.equals,
    SH.disjoint,
    *_VALUE_TEST_KEYS,
}
"""What a node shape may hold; its constraints other than ``sh:property`` constrain the focus
node itself (:meth:`_Compiler.node_checks`)."""
_PROPERTY_SHAPE_KEYS = {
    RDF.type,
    RDFS.comment,
    RDFS.label,
    SH.path,
    SH.message,
    SH.severity,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.deactivated,
    SH.minCount,
    SH.maxCount,
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH.hasValue,
    SH["in"],
    SH.node,
    SH.equals,
    SH.disjoint,
    SH.lessThan,
    SH.lessThanOrEquals,
    *_VALUE_TEST_KEYS,
}


@dataclass(frozen=True)
class _Target:
    """A node shape's focus nodes, two ways.

    ``enumerate`` is a group pattern binding ``?focus`` to every focus node (maybe more than
    once); ``test`` is a filter expression, true when a bound ``?focus`` is one. Checks that
    look for bad values scan the property, test each value with a point lookup, and ask
    ``test`` only of the few rows left: far cheaper at scale than joining every focus node
    first.
    """

    enumerate: str
    test: str
    small: bool = False
    """Few focus nodes: then checks start from them instead of scanning the property."""


SMALL_TARGET = 2_000
"""Below this many focus nodes a check starts from the focus nodes, not the property."""


class _Compiler:
    def __init__(
        self, shapes: Graph, subclasses: dict[URIRef, list[URIRef]], store: Store | None = None
    ) -> None:
        self.shapes = shapes
        self.subclasses = subclasses
        self.store = store

    def classes(self, cls: Node) -> str:
        """VALUES text: the class and every subclass of it in the data."""
        if not isinstance(cls, URIRef):
            raise UnsupportedShapes(f"sh:class / sh:targetClass must be an IRI, got {cls!r}")
        found = self.subclasses.get(cls) or [cls]
        return " ".join(sparql_iri(c) for c in sorted_terms(set(found)))

    def instance_of(self, var: str, cls: Node) -> str:
        """A pattern true when ``var`` is a SHACL instance of ``cls`` (subclasses too)."""
        classes = self.classes(cls)
        if " " not in classes:
            return f"{var} a {classes} ."
        return f"{var} a ?class{var[1:]} . VALUES ?class{var[1:]} {{ {classes} }}"

    def target(self, shape: Node, implicit: bool = False) -> _Target | None:
        """How to find the shape's focus nodes, or None (a value shape, with no target).

        ``implicit``: the shape is also a class, so its own instances are focus nodes too
        (SHACL's implicit class target, §2.1.3.3).
        """
        if any(self.shapes.objects(shape, SH.target)):
            raise UnsupportedShapes(f"{shape}: SPARQL-based targets (sh:target) are not compiled")
        patterns = []
        classes = [*self.shapes.objects(shape, SH.targetClass), *([shape] if implicit else [])]
        for cls in sorted_terms(set(classes)):
            patterns.append(self.instance_of("?focus", cls))
        for prop in sorted_terms(self.shapes.objects(shape, SH.targetSubjectsOf)):
            patterns.append(f"?focus {sparql_iri(prop)} ?targetValue .")
        for prop in sorted_terms(self.shapes.objects(shape, SH.targetObjectsOf)):
            patterns.append(f"?targetSubject {sparql_iri(prop)} ?focus .")
        nodes = sorted_terms(self.shapes.objects(shape, SH.targetNode))
        if nodes:
            patterns.append(f"VALUES ?focus {{ {' '.join(sparql_term(n) for n in nodes)} }}")
        if not patterns:
            return None
        enumerate_ = " UNION ".join(f"{{ {p} }}" for p in patterns)
        test = " || ".join(f"EXISTS {{ {p} }}" for p in patterns)
        return _Target(enumerate_, test, self.size(enumerate_) < SMALL_TARGET)

    def size(self, pattern: str) -> int:
        """Rows of ``pattern``, counted up to :data:`SMALL_TARGET` (cheap at any scale)."""
        if self.store is None:
            return SMALL_TARGET
        limited = f"SELECT * WHERE {{ {pattern} }} LIMIT {SMALL_TARGET}"
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ {limited} }}"
        table = self.store.select(query)
        value = table.rows[0][0] if table.rows else None
        return int(value) if isinstance(value, Literal) else SMALL_TARGET

    def conforms_pattern(self, shape: Node) -> str:
        """A pattern that matches ``?v`` exactly when ``?v`` conforms to a value shape."""
        if not isinstance(shape, URIRef | BNode):
            raise UnsupportedShapes(f"sh:node must name a shape, got {shape!r}")
        keys = {p for p, _ in self.shapes.predicate_objects(shape)} - {
            RDF.type,
            RDFS.comment,
            RDFS.label,
            SH.property,
        }
        if keys:
            raise UnsupportedShapes(f"sh:node shape {shape} has constraints of its own")
        patterns = []
        for prop in sorted_terms(self.shapes.objects(shape, SH.property)):
            allowed = {RDF.type, RDFS.comment, SH.path, SH.hasValue, SH.message, SH.name}
            if {p for p, _ in self.shapes.predicate_objects(prop)} - allowed:
                raise UnsupportedShapes(f"value shape {prop} uses more than sh:hasValue")
            path = sparql_path(self.shapes, self.shapes.value(prop, SH.path))
            if path.may_be_empty:
                raise UnsupportedShapes(f"value shape {prop}: a zero-length path")
            for value in sorted_terms(self.shapes.objects(prop, SH.hasValue)):
                patterns.append(f"?v {path.sparql} {sparql_term(value)} .")
        if not patterns:
            raise UnsupportedShapes(f"sh:node shape {shape} has no sh:hasValue to check")
        return " ".join(patterns)

    def property_checks(self, target: _Target, prop: Node, targeted: bool = False) -> list[Check]:
        """The checks of property shape ``prop`` on the focus nodes of ``target``.

        ``targeted``: ``prop`` is a property shape with targets of its own (its target
        predicates are then expected among its keys).
        """
        shapes = self.shapes
        keys = {p for p, _ in shapes.predicate_objects(prop)}
        allowed = _PROPERTY_SHAPE_KEYS | (set(_TARGETS) if targeted else set())
        unknown = {k for k in keys if str(k).startswith(str(SH))} - allowed
        if unknown:
            raise UnsupportedShapes(f"{prop}: {', '.join(sorted(map(str, unknown)))} not compiled")
        if shapes.value(prop, SH.deactivated) == Literal(True):
            return []
        messages = list(shapes.objects(prop, SH.message))
        if len(messages) > 1:
            raise UnsupportedShapes(f"{prop}: more than one sh:message (one per language?)")
        if not isinstance(prop, URIRef | BNode):
            raise UnsupportedShapes(f"a property shape is an IRI or a blank node, not {prop!r}")
        path = sparql_path(shapes, shapes.value(prop, SH.path))
        if path.may_be_empty and not target.small:
            # Scanning a zero-length path from unbound ends would miss focus nodes that
            # occur in no triple; with few focus nodes each is bound first, which is exact.
            raise UnsupportedShapes(f"{prop}: a zero-length path over many focus nodes")
        p = path.sparql
        severity = shapes.value(prop, SH.severity) or SH.Violation
        if not isinstance(severity, URIRef):
            raise UnsupportedShapes(f"{prop}: sh:severity must be an IRI")
        message = str(messages[0]) if messages else ""
        check = _Maker(prop, path.shown, message, severity, target)
        out: list[Check] = []
        low = shapes.value(prop, SH.minCount)
        high = shapes.value(prop, SH.maxCount)
        if low is not None or high is not None:
            out.extend(self._cardinality(p, count_of(low), count_of(high), check))
        for cls in sorted_terms(shapes.objects(prop, SH["class"])):
            out.append(check.values_not_matching("class", p, self.instance_of("?v", cls)))
        for datatype in sorted_terms(shapes.objects(prop, SH.datatype)):
            out.append(check.bad_values("datatype", p, f"!({datatype_test(datatype)})"))
        for component, test in value_tests(shapes, prop):
            out.append(check.bad_values(component, p, test))
        for kind in sorted_terms(shapes.objects(prop, SH.nodeKind)):
            if kind not in NODE_KINDS:
                raise UnsupportedShapes(f"unknown sh:nodeKind {kind}")
            out.append(check.bad_values("nodeKind", p, f"!{NODE_KINDS[kind]}"))  # type: ignore[index]
        for value in sorted_terms(shapes.objects(prop, SH.hasValue)):
            out.append(check.focus_without("hasValue", f"?focus {p} {sparql_term(value)} ."))
        for members in shapes.objects(prop, SH["in"]):
            if not isinstance(members, BNode | URIRef):
                raise UnsupportedShapes(f"{prop}: sh:in must be a list")
            # sh:in compares terms, not values: "01"^^xsd:integer is not in (1).
            same = [f"sameTerm(?v, {sparql_term(m)})" for m in Collection(shapes, members)]
            out.append(check.bad_values("in", p, f"!({' || '.join(same) or 'false'})"))
        for node in sorted_terms(shapes.objects(prop, SH.node)):
            out.append(check.values_not_matching("node", p, self.conforms_pattern(node)))
        for other in sorted_terms(shapes.objects(prop, SH.equals)):
            o = sparql_iri(other)
            if p == f"^{o}":
                # "recorded both ways": the one-way pairs, found once, then seen from both
                # ends (the path's values missing from the property's, and the reverse).
                body = (
                    f"{{ SELECT ?a ?b WHERE {{ ?a {o} ?b FILTER NOT EXISTS {{ ?b {o} ?a }} }} }} "
                    "VALUES ?end { 1 2 } "
                    "BIND (IF(?end = 1, ?b, ?a) AS ?focus) BIND (IF(?end = 1, ?a, ?b) AS ?v)"
                )
                out.append(check.rows("equals", body, filtered=True))
                continue
            else:
                body = (
                    f"{{ ?focus {p} ?v FILTER NOT EXISTS {{ ?focus {o} ?v }} }} "
                    f"UNION {{ ?focus {o} ?v FILTER NOT EXISTS {{ ?focus {p} ?v }} }}"
                )
            out.append(check.rows("equals", body))
        for other in sorted_terms(shapes.objects(prop, SH.disjoint)):
            out.append(check.rows("disjoint", f"?focus {p} ?v . ?focus {sparql_iri(other)} ?v ."))
        for other, operator, component in [
            *((o, "<", "lessThan") for o in sorted_terms(shapes.objects(prop, SH.lessThan))),
            *(
                (o, "<=", "lessThanOrEquals")
                for o in sorted_terms(shapes.objects(prop, SH.lessThanOrEquals))
            ),
        ]:
            body = (
                f"?focus {p} ?v . ?focus {sparql_iri(other)} ?o . "
                f"FILTER (!COALESCE({comparable('?v')} {operator} {comparable('?o')}, false))"
            )
            out.append(check.rows(component, body, "SELECT DISTINCT ?focus ?v ?o"))
        return out

    def node_checks(self, target: _Target, shape: Node) -> list[Check]:
        """The constraints a node shape puts on each focus node itself (its value node).

        Each result's value (``?v``) is the focus node, as SHACL reports it.
        """
        shapes = self.shapes
        if not isinstance(shape, URIRef | BNode):
            raise UnsupportedShapes(f"a node shape is an IRI or a blank node, not {shape!r}")
        messages = list(shapes.objects(shape, SH.message))
        if len(messages) > 1:
            raise UnsupportedShapes(f"{shape}: more than one sh:message (one per language?)")
        severity = shapes.value(shape, SH.severity) or SH.Violation
        if not isinstance(severity, URIRef):
            raise UnsupportedShapes(f"{shape}: sh:severity must be an IRI")
        message = str(messages[0]) if messages else ""
        maker = _Maker(shape, "", message, severity, target)
        out: list[Check] = []
        for cls in sorted_terms(shapes.objects(shape, SH["class"])):
            out.append(maker.focus_itself("class", f"MINUS {{ {self.instance_of('?v', cls)} }}"))
        for datatype in sorted_terms(shapes.objects(shape, SH.datatype)):
            out.append(maker.focus_itself("datatype", f"FILTER (!({datatype_test(datatype)}))"))
        for component, test in value_tests(shapes, shape):
            out.append(maker.focus_itself(component, f"FILTER ({test})"))
        for kind in sorted_terms(shapes.objects(shape, SH.nodeKind)):
            if kind not in NODE_KINDS:
                raise UnsupportedShapes(f"unknown sh:nodeKind {kind}")
            out.append(maker.focus_itself("nodeKind", f"FILTER (!{NODE_KINDS[kind]})"))  # type: ignore[index]
        for members in shapes.objects(shape, SH["in"]):
            if not isinstance(members, BNode | URIRef):
                raise UnsupportedShapes(f"{shape}: sh:in must be a list")
            same = [f"sameTerm(?v, {sparql_term(m)})" for m in Collection(shapes, members)]
            out.append(maker.focus_itself("in", f"FILTER (!({' || '.join(same) or 'false'}))"))
        for node in sorted_terms(shapes.objects(shape, SH.node)):
            out.append(maker.focus_itself("node", f"MINUS {{ {self.conforms_pattern(node)} }}"))
        focus = f"{{ SELECT DISTINCT ?focus WHERE {{ {target.enumerate} }} }}"
        for value in sorted_terms(shapes.objects(shape, SH.hasValue)):
            # The focus node is its only value node: no value to report, only the focus.
            body = f"{focus} FILTER (!sameTerm(?focus, {sparql_term(value)}))"
            out.append(maker._check("hasValue", f"SELECT DISTINCT ?focus WHERE {{ {body} }}"))
        for other in sorted_terms(shapes.objects(shape, SH.equals)):
            o = sparql_iri(other)
            # The focus node (its only value) missing from the property, and the property's
            # values other than the focus node.
            out.append(maker.focus_itself("equals", f"FILTER NOT EXISTS {{ ?v {o} ?v }}"))
            body = f"{focus} ?focus {o} ?v FILTER (!sameTerm(?v, ?focus))"
            out.append(maker._check("equals", f"SELECT DISTINCT ?focus ?v WHERE {{ {body} }}"))
        for other in sorted_terms(shapes.objects(shape, SH.disjoint)):
            out.append(
                maker.focus_itself("disjoint", f"FILTER EXISTS {{ ?v {sparql_iri(other)} ?v }}")
            )
        return out

    def _cardinality(self, p: str, lo: int | None, hi: int | None, check: _Maker) -> list[Check]:
        out = []
        # The usual bounds need no counting of every focus node's values.
        if lo == 1:
            out.append(check.focus_without("minCount", f"?focus {p} ?v ."))
        elif lo == 2:
            # Two distinct values, looked up per focus node (cheaper than counting them all).
            two = f"?focus {p} ?v, ?w . FILTER (!sameTerm(?v, ?w))"
            out.append(check.focus_without("minCount", two, lookup=True))
        elif lo is not None and lo > 0:
            enough = (
                f"SELECT ?focus WHERE {{ ?focus {p} ?v }} "
                f"GROUP BY ?focus HAVING (COUNT(DISTINCT ?v) >= {lo})"
            )
            out.append(check.focus_without("minCount", enough))
        if hi is not None:
            # Counting triples (not distinct values) is cheap and over-counts only when a
            # triple sits in two sources: it picks the candidates, the exact count decides.
            candidates = (
                f"{{ SELECT ?focus WHERE {{ ?focus {p} ?any }} "
                f"GROUP BY ?focus HAVING (COUNT(*) > {hi}) }}"
                if not check.target.small
                else ""  # few focus nodes: look each one's values up instead
            )
            if hi == 1:
                exact = (
                    f"?focus {p} ?v . FILTER EXISTS {{ ?focus {p} ?w FILTER (!sameTerm(?v, ?w)) }}"
                )
                out.append(
                    check.rows("maxCount", f"{candidates} {exact}", "SELECT DISTINCT ?focus")
                )
            else:
                exact = (
                    f"{{ SELECT ?focus WHERE {{ ?focus {p} ?v }} "
                    f"GROUP BY ?focus HAVING (COUNT(DISTINCT ?v) > {hi}) }}"
                )
                out.append(
                    check.rows("maxCount", f"{candidates} {exact}", "SELECT DISTINCT ?focus")
                )
        return out


@dataclass(frozen=True)
class _Maker:
    """Makes the checks of one property shape."""

    shape: URIRef | BNode
    path: str
    message: str
    """The shape's ``sh:message``; "" for none (then each check says which constraint)."""
    severity: URIRef
    target: _Target

    def _check(self, component: str, sparql: str) -> Check:
        message = self.message or f"does not satisfy sh:{component}"
        return Check(self.shape, self.path, message, self.severity, component, sparql)

    def rows(
        self,
        component: str,
        body: str,
        select: str = "SELECT DISTINCT ?focus ?v",
        filtered: bool = False,
    ) -> Check:
        """Rows of ``body`` whose ``?focus`` is a focus node: one result each.

        ``filtered``: test each row for being a focus node even when there are few (for a
        ``body`` that binds ``?focus`` itself).
        """
        if self.target.small and not filtered:
            focus = f"{{ SELECT DISTINCT ?focus WHERE {{ {self.target.enumerate} }} }}"
            return self._check(component, f"{select} WHERE {{ {focus} {body} }}")
        return self._check(component, f"{select} WHERE {{ {body} FILTER ({self.target.test}) }}")

    def focus_itself(self, component: str, condition: str) -> Check:
        """Each focus node (as the value ``?v``) for which ``condition`` (a ``FILTER`` or
        ``MINUS`` on ``?v``) leaves a row: a node shape's constraint on the node itself."""
        focus = f"{{ SELECT DISTINCT ?focus WHERE {{ {self.target.enumerate} }} }}"
        body = f"{focus} BIND (?focus AS ?v) {condition}"
        return self._check(component, f"SELECT DISTINCT ?focus ?v WHERE {{ {body} }}")

    def bad_values(self, component: str, path: str, test: str) -> Check:
        """Each value of ``path`` (at a focus node) for which the expression ``test`` holds."""
        return self.rows(component, f"?focus {path} ?v . FILTER ({test})")

    def values_not_matching(self, component: str, path: str, pattern: str) -> Check:
        """Each value of ``path`` (at a focus node) that does not match ``pattern``.

        The distinct values are checked first, with a hash anti-join (``MINUS``); only the
        bad ones (usually none) are joined back to their focus nodes.
        """
        if self.target.small:
            return self.rows(component, f"?focus {path} ?v . MINUS {{ {pattern} }}")
        bad = f"{{ SELECT DISTINCT ?v WHERE {{ ?anySubject {path} ?v }} }} MINUS {{ {pattern} }}"
        return self.rows(component, f"{bad} ?focus {path} ?v .")

    def focus_without(self, component: str, pattern: str, lookup: bool = False) -> Check:
        """Each focus node that does not match ``pattern`` (which binds ``?focus``).

        Few focus nodes, or ``lookup``: one point lookup each (``FILTER NOT EXISTS`` with
        ``?focus`` bound); many: a hash anti-join (``MINUS``), which scans the property once.
        """
        if (self.target.small or lookup) and not pattern.startswith("SELECT"):
            body = f"{self.target.enumerate} FILTER NOT EXISTS {{ {pattern} }}"
        else:
            body = f"{self.target.enumerate} MINUS {{ {pattern} }}"
        return self._check(component, f"SELECT DISTINCT ?focus WHERE {{ {body} }}")


def _subclass_closure(store: Store, classes: Iterable[URIRef]) -> dict[URIRef, list[URIRef]]:
    closure: dict[URIRef, list[URIRef]] = {}
    query = "SELECT DISTINCT ?cls ?sub WHERE { ?sub rdfs:subClassOf* ?cls } ORDER BY ?sub"
    for cls in sorted(set(classes)):
        table = store.select(query, {"cls": cls})
        found = [row[1] for row in table.rows if isinstance(row[1], URIRef)]
        closure[cls] = sorted({cls, *found})
    return closure


def shacl_instances(graph: Graph, cls: URIRef) -> set[Node]:
    """The SHACL instances of ``cls`` in ``graph``: typed ``cls`` or one of its subclasses
    (``rdfs:subClassOf`` triples in ``graph``)."""
    classes = set(graph.transitive_subjects(RDFS.subClassOf, cls))
    return {s for c in classes for s in graph.subjects(RDF.type, c)}


def implicit_class_targets(shapes: Graph) -> set[Node]:
    """The shapes that are also classes: SHACL instances of ``rdfs:Class`` and of
    ``sh:NodeShape`` or ``sh:PropertyShape`` (§2.1.3.3), whose instances they target."""
    declared = shacl_instances(shapes, SH.NodeShape) | shacl_instances(shapes, SH.PropertyShape)
    return declared & shacl_instances(shapes, RDFS.Class)


def targeted_shapes(shapes: Graph) -> list[Node]:
    """Every shape of ``shapes`` with a target, in a fixed order (SHACL §2.1).

    A shape need not be typed: a subject of a target predicate is a shape (§2.1, "shapes
    known only by their targets"), and so is a class that is typed as a shape (an implicit
    class target). Node and property shapes alike: a shape with ``sh:path`` is a property
    shape (§2.3), and a property shape with a target validates its focus nodes directly.
    """
    found: set[Node] = implicit_class_targets(shapes)
    for predicate in _TARGET_KEYS:
        found.update(shapes.subjects(predicate, None))
    return sorted_terms(found)


def compile_shapes(shapes: Graph, store: Store) -> list[Check]:
    """Every constraint of ``shapes`` as a :class:`Check`, in a fixed order.

    Every shape with a target (:func:`targeted_shapes`) is compiled whole, or the shapes are
    refused with :class:`UnsupportedShapes`: no targeted shape is ever skipped. ``store`` is
    asked once per class for its subclasses (``rdfs:subClassOf*``), which the SHACL class
    checks follow.
    """
    if any(shapes.subjects(SH.sparql, None)) or any(shapes.subjects(SH.rule, None)):
        raise UnsupportedShapes("SPARQL-based constraints and rules are not compiled")
    implicit = implicit_class_targets(shapes)
    classes = [c for c in shapes.objects(None, SH.targetClass) if isinstance(c, URIRef)]
    classes += [c for c in shapes.objects(None, SH["class"]) if isinstance(c, URIRef)]
    classes += [c for c in implicit if isinstance(c, URIRef)]
    compiler = _Compiler(shapes, _subclass_closure(store, classes), store)
    checks: list[Check] = []
    for shape in targeted_shapes(shapes):
        if shapes.value(shape, SH.deactivated) == Literal(True):
            continue
        target = compiler.target(shape, implicit=shape in implicit)
        assert target is not None  # every shape here has a target
        if (shape, SH.path, None) in shapes:
            checks.extend(compiler.property_checks(target, shape, targeted=True))
            continue
        keys = {p for p, _ in shapes.predicate_objects(shape)}
        unknown = {k for k in keys if str(k).startswith(str(SH))} - _NODE_SHAPE_KEYS
        if unknown:
            raise UnsupportedShapes(f"{shape}: {', '.join(sorted(map(str, unknown)))} not compiled")
        checks.extend(compiler.node_checks(target, shape))
        for prop in sorted_terms(shapes.objects(shape, SH.property)):
            checks.extend(compiler.property_checks(target, prop))
    return checks


@dataclass(frozen=True)
class Result:
    """One row of a compiled check: a SHACL validation result in terms, before formatting."""

    check: Check
    focus: Node
    value: Node | None
    """The offending value (``sh:value``), for the checks that have one."""


def check_results(store: Store, checks: Sequence[Check]) -> list[Result]:
    """Run compiled checks; one :class:`Result` per result row, in check order."""
    out = []
    # The checks' queries run concurrently on Oxigraph; the rows are read in check order.
    tables = run_concurrently(store, [partial(store.select, check.sparql) for check in checks])
    for check, table in zip(checks, tables, strict=True):
        focus_column = table.columns.index("focus")
        value_column = table.columns.index("v") if "v" in table.columns else None
        for row in table.rows:
            focus = row[focus_column]
            if focus is None:
                continue
            value = row[value_column] if value_column is not None else None
            out.append(Result(check, focus, value))
    return out


def run_checks(store: Store, checks: Sequence[Check]) -> list[Violation]:
    """Run compiled checks; one :class:`~pcr_graph.validation.results.Violation` per result row."""
    from pcr_graph.validation.results import Violation, bound_names, source_in_store

    nm = bound_names()
    out = []
    sources: dict[Node, str] = {}
    for result in check_results(store, checks):
        check, focus = result.check, result.focus
        if focus not in sources:
            sources[focus] = source_in_store(store, focus)
        out.append(
            Violation(
                source=sources[focus],
                focus=focus.n3(nm) if isinstance(focus, URIRef) else str(focus),
                path=check.path,
                message=check.message,
                severity=check.severity.n3(nm).removeprefix("sh:"),
                shape=check.shape.n3(nm) if isinstance(check.shape, URIRef) else str(check.shape),
            )
        )
    return sorted(out)


def validate_fast(store: Store, shapes: Graph | None = None) -> list[Violation]:
    """Check the store against the shapes with compiled SPARQL; [] means it conforms.

    Raises :class:`UnsupportedShapes` when the shapes use a feature not compiled here.
    """
    from pcr_graph.validation import results

    return run_checks(
        store, compile_shapes(shapes if shapes is not None else results.shapes_graph(), store)
    )


__all__ = [
    "Check",
    "Result",
    "UnsupportedShapes",
    "check_results",
    "compile_shapes",
    "run_checks",
    "targeted_shapes",
    "validate_fast",
]
