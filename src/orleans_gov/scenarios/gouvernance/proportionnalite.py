"""The 20 % proportionality test of an accord local (art. L5211-6-1 I 2° e) CGCT, loi n° 2015-264) and the exact
enumeration of the allocations that pass it.

Text: Légifrance JORFARTI000030334563 was read up to « e) Sans préjudice des c et d, la part de sièges attribuée à
chaque commune ne peut s'écarter de plu[s de 20 %…] »; the end of the e) was read in the English translation of the
consolidated article (french-business-law.com): « may not differ by more than 20% from the proportion of its
population in the overall population of the member municipalities, except: – where the apportionment made pursuant
to III and IV of this article would lead to the share of seats allocated to a commune deviating by more than 20% from
the proportion of its population in the overall population and the apportionment made by the agreement maintains or
reduces this deviation; – where two seats would be allocated to a commune for which the apportionment made pursuant to
1° of IV would lead to the allocation of a single seat. » c) « Chaque commune dispose d'au moins un siège » ; d)
« Aucune commune ne peut disposer de plus de la moitié des sièges » ; b) « Les sièges sont répartis en fonction de la
population municipale de chaque commune ».

Ratio tested: (seats / total seats) / (population / total population), admissible in [1 − 20 %, 1 + 20 %].

Readings (:class:`Lectures`, defaults stated):

- ``exception_i="valeur_absolue"``: « maintains or reduces this deviation » compares |ratio − 1| of the accord with that of
  the III + IV allocation; ``"meme_sens"`` also requires the deviation to keep its sign.
- ``exception_ii="iv_1"``: the second seat is open to a commune that gets exactly one seat from the IV 1° table
  allocation (text); ``"iii_iv"`` opens it to every commune with one seat after III + IV (seats of right included).
- ``siege_minimal_prime=True``: « sans préjudice du c » — one seat is always admissible even when its ratio exceeds
  1.2 (research exemples.md A-4, commune E); ``False`` applies the e) to it.
- The d) likewise prevails: a commune may keep half of the seats (rounded down) even if its ratio is below 0.8.
- ``monotonie=True``: « en fonction de la population » (b), and the reservation of decision n° 2015-711 DC (the second
  seat « ne saurait […] être réservée à certaines communes à l'exclusion d'autres communes […] dont la population
  serait égale ou supérieure ») are read as: a commune never has more seats than a more populous one. Communes with
  equal populations are ordered by their order in the input (limitation).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Iterator, Sequence

import numpy as np

MOTIFS = ("tunnel", "exception_i", "exception_ii", "siege_minimal_c", "plafond_moitie_d")


@dataclass(frozen=True)
class Lectures:
    """Explicit readings of the ambiguous points of art. L5211-6-1 I 2° (see the module docstring)."""

    exception_i: str = "valeur_absolue"
    exception_ii: str = "iv_1"
    siege_minimal_prime: bool = True
    monotonie: bool = True

    def __post_init__(self) -> None:
        if self.exception_i not in ("valeur_absolue", "meme_sens"):
            raise ValueError(f"lecture de l'exception (i) inconnue : « {self.exception_i} »")
        if self.exception_ii not in ("iv_1", "iii_iv"):
            raise ValueError(f"lecture de l'exception (ii) inconnue : « {self.exception_ii} »")


@dataclass(frozen=True)
class Cadre:
    """What the e) test of one commune needs: populations, the III + IV seats (``dc``), the IV 1° seats (``s1``)."""

    pops: tuple[int, ...]
    dc: tuple[int, ...]
    s1: tuple[int, ...]
    ecart: Fraction
    lectures: Lectures
    demi_plafond: bool = True

    @property
    def population(self) -> int:
        return sum(self.pops)

    def ratio(self, i: int, s: int, total: int) -> Fraction:
        return Fraction(s * self.population, total * self.pops[i])

    def ratio_droit_commun(self, i: int) -> Fraction:
        return self.ratio(i, self.dc[i], sum(self.dc))

    def motif(self, i: int, s: int, total: int) -> str | None:
        """The rule under which ``s`` seats out of ``total`` are admissible for commune ``i`` (``None``: not)."""
        if s < 1 or (self.demi_plafond and 2 * s > total):
            return None
        r = self.ratio(i, s, total)
        if abs(r - 1) <= self.ecart:
            return "tunnel"
        r_dc = self.ratio_droit_commun(i)
        if abs(r_dc - 1) > self.ecart and abs(r - 1) <= abs(r_dc - 1) and (
                self.lectures.exception_i == "valeur_absolue" or (r - 1) * (r_dc - 1) > 0):
            return "exception_i"
        base_ii = self.s1[i] if self.lectures.exception_ii == "iv_1" else self.dc[i]
        if s == 2 and base_ii == 1:
            return "exception_ii"
        if s == 1 and r > 1 and self.lectures.siege_minimal_prime:
            return "siege_minimal_c"
        if self.demi_plafond and s == total // 2 and r < 1:
            return "plafond_moitie_d"
        return None

    def ensembles(self, total: int, bas: Sequence[int], haut: Sequence[int]) -> list[list[int]]:
        """For each commune, the admissible seat numbers in [bas_i, haut_i] for a council of ``total`` seats."""
        return [[s for s in range(max(1, bas[i]), haut[i] + 1) if self.motif(i, s, total) is not None]
                for i in range(len(self.pops))]


def ordre_population(pops: Sequence[int]) -> list[int]:
    """Commune indices by decreasing population (stable for equal populations)."""
    return sorted(range(len(pops)), key=lambda i: -pops[i])


class Denombrement:
    """Exact count and ordered enumeration of the seat vectors with s_i in ``ensembles[i]`` summing to ``total``
    (non-increasing along ``ordre`` when ``monotone``), by dynamic programming on (position, cap, remaining seats)."""

    def __init__(self, ensembles: list[list[int]], total: int, ordre: list[int], monotone: bool):
        self.ens = [sorted(ensembles[i]) for i in ordre]
        self.ordre, self.total, self.monotone = ordre, total, monotone
        t = total + 1
        suivant = np.zeros((t, t), dtype=object)
        suivant[:, 0] = 1  # nothing left to place: one way when nothing remains
        self.tables = [suivant]
        for valeurs in reversed(self.ens):
            courant = np.zeros((t, t), dtype=object)
            if monotone:
                acc = np.zeros(t, dtype=object)
                pos = 0
                for cap in range(t):
                    while pos < len(valeurs) and valeurs[pos] <= cap:
                        s = valeurs[pos]
                        acc = acc + np.concatenate([np.zeros(s, dtype=object), suivant[s, :t - s]])
                        pos += 1
                    courant[cap] = acc
            else:
                acc = np.zeros(t, dtype=object)
                for s in valeurs:
                    if s < t:
                        acc = acc + np.concatenate([np.zeros(s, dtype=object), suivant[total, :t - s]])
                courant[:] = acc
            self.tables.append(courant)
            suivant = courant
        self.tables.reverse()  # tables[k] = ways for positions k.. ; tables[n] = terminal

    @property
    def nombre(self) -> int:
        return int(self.tables[0][self.total, self.total])

    def vecteurs(self, limite: int | None = None) -> Iterator[list[int]]:
        """Vectors (in the input order of communes), lexicographically decreasing along ``ordre``."""
        n = len(self.ens)
        choix = [0] * n
        produits = 0

        def parcourir(k: int, cap: int, reste: int) -> Iterator[list[int]]:
            nonlocal produits
            if k == n:
                if reste == 0:
                    vecteur = [0] * n
                    for pos, i in enumerate(self.ordre):
                        vecteur[i] = choix[pos]
                    produits += 1
                    yield vecteur
                return
            for s in reversed(self.ens[k]):
                if s > reste or (self.monotone and s > cap):
                    continue
                if self.tables[k + 1][s if self.monotone else self.total, reste - s] == 0:
                    continue
                choix[k] = s
                yield from parcourir(k + 1, s if self.monotone else cap, reste - s)
                if limite is not None and produits >= limite:
                    return

        if self.nombre:
            yield from parcourir(0, self.total, self.total)


def choisir(cadre: Cadre, ensembles: list[list[int]], total: int, monotone: bool) -> list[int] | None:
    """One admissible vector of ``total`` seats: each commune first takes its smallest admissible number, the
    remaining seats go to the highest average pop / (seats + 1) among communes whose next number stays
    admissible (ties to the more populous). Falls back on the first enumerated vector if that greedy key stalls.
    ``None`` when no vector exists."""
    ordre = ordre_population(cadre.pops)
    d = Denombrement(ensembles, total, ordre, monotone)
    if d.nombre == 0:
        return None
    courant = [min(e) for e in ensembles]
    reste = total - sum(courant)
    while reste > 0:
        candidats = [i for i in range(len(courant)) if courant[i] + 1 in ensembles[i]]
        if not candidats:
            break
        i = max(candidats, key=lambda j: (Fraction(cadre.pops[j], courant[j] + 1), cadre.pops[j], -j))
        courant[i] += 1
        reste -= 1
    monotone_ok = not monotone or all(courant[a] >= courant[b] for a, b in zip(ordre, ordre[1:]))
    if reste == 0 and monotone_ok:
        return courant
    return next(d.vecteurs(limite=1))
