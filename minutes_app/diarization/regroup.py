"""Which speaker each half of a split cluster becomes (``resegment.py``, step 3).

The speakers after the splits are the clusters that did not split and the halves of those
that did. They are grouped by their centroids (cosine, weighted by their windows), the
nearest pair first:

- a half joins the nearest speaker within ``merge_distance`` that is not its own twin
  (the other half of the same split: on AMI dev01 held to two speakers, both halves of
  one cluster lay within 0.5 of the other, mixed cluster, were both renamed to it and the
  split was undone);
- two clusters that did not split are not merged below the bound (pyannote's clustering
  kept them apart);
- while more speakers are left than ``bound`` (the count given, or the roster's size),
  the nearest pair is merged: twins only when no other pair is left.

A group takes the name of its largest unsplit cluster; a group of halves only takes its
largest half's cluster label while that is free, else ``<label>+split``. The turns of a
split cluster are then relabelled against the groups its halves went to, with the
groups' centroids (more windows than one half: AMI DER collar 0.25 dev00 6.6 -> 5.7 %,
dev01 19.0 -> 17.5 %; with the true count given 6.6 / 29.5 -> 5.7 / 19.5 %).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

Candidates = dict[str, list[tuple[str, np.ndarray]]]


@dataclass
class Node:
    vector: np.ndarray
    weight: int
    unsplit: list[tuple[int, str]] = field(default_factory=list)  # (weight, label)
    halves: list[tuple[int, str, int]] = field(default_factory=list)  # (weight, label, k)

    def absorb(self, other: Node) -> None:
        total = self.vector * self.weight + other.vector * other.weight
        self.vector = total / max(float(np.linalg.norm(total)), 1e-8)
        self.weight += other.weight
        self.unsplit += other.unsplit
        self.halves += other.halves

    def twins(self, other: Node) -> bool:
        mine = {label for _, label, _ in self.halves}
        return any(label in mine for _, label, _ in other.halves)


def group_halves(
    parts: dict[str, tuple[np.ndarray, list[int]]],
    centroids: dict[str, np.ndarray],
    weights: dict[str, int],
    merge_distance: float,
    bound: int | None,
) -> tuple[Candidates, dict[str, np.ndarray]]:
    """``parts``: per split label its two half centroids (2, dim) and window counts;
    ``centroids`` / ``weights``: every cluster's centroid and window count.

    Returns, per label whose turns change, the speakers its frames are relabelled
    against (a split label: the groups its halves went to; an unsplit label merged at
    the bound: its group alone), and the centroid of every speaker made of halves only."""
    nodes = [
        Node(vector, max(weights.get(label, 0), 1), unsplit=[(weights.get(label, 0), label)])
        for label, vector in centroids.items()
        if label not in parts
    ]
    for label, (pair, sizes) in parts.items():
        nodes += [Node(pair[k], max(sizes[k], 1), halves=[(sizes[k], label, k)]) for k in (0, 1)]
    while len(nodes) > 1:
        over = bound is not None and len(nodes) > bound
        best = _nearest(nodes, lambda a, b: not a.twins(b) and not (a.unsplit and b.unsplit))
        if over:  # at the bound: twins only when nothing else is left
            best = best or _nearest(nodes, lambda a, b: not a.twins(b)) or _nearest(nodes, lambda a, b: True)
        elif best is not None and 1.0 - best[0] >= merge_distance:
            best = None
        if best is None:
            break
        _, i, j = best
        nodes[i].absorb(nodes.pop(j))
    return _named(nodes, parts)


def _nearest(nodes: list[Node], allowed: Callable[[Node, Node], bool]) -> tuple[float, int, int] | None:
    """The most similar pair of ``nodes`` that ``allowed`` lets merge."""
    best: tuple[float, int, int] | None = None
    for i in range(len(nodes)):
        for j in range(i + 1, len(nodes)):
            if allowed(nodes[i], nodes[j]):
                similarity = float(nodes[i].vector @ nodes[j].vector)
                if best is None or similarity > best[0]:
                    best = (similarity, i, j)
    return best


def _named(
    nodes: list[Node], parts: dict[str, tuple[np.ndarray, list[int]]]
) -> tuple[Candidates, dict[str, np.ndarray]]:
    order = sorted(nodes, key=lambda n: -n.weight)
    names: list[str] = []
    for node in order:
        if node.unsplit:
            names.append(max(node.unsplit)[1])
            continue
        label = max(node.halves)[1]
        name, n = label, 1
        while name in names:
            name = f"{label}+split" if n == 1 else f"{label}+split{n}"
            n += 1
        names.append(name)
    named = list(zip(names, order, strict=True))
    candidates: Candidates = {}
    for label in parts:
        went = [(name, node) for name, node in named if any(o == label for _, o, _ in node.halves)]
        candidates[label] = [(name, node.vector) for name, node in went]
    for name, node in named:
        for _, label in node.unsplit:
            if label != name:
                candidates[label] = [(name, node.vector)]
    # a speaker made of halves only gets its own centroid (for linking blocks)
    new = {name: node.vector.astype(np.float32) for name, node in named if not node.unsplit}
    return candidates, new
