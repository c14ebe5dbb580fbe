"""Qualified majorities the governance options need, each rule dated with its article, and the « pivot » analysis
(smallest coalitions of communes that carry or block a vote).

Rules (:data:`REGLES`; a rule applies to decisions taken from its start date):

- ``"transfert_competence"`` — art. L5211-17 CGCT: transfers are decided by « délibérations concordantes de l'organe
  délibérant et des conseils municipaux se prononçant dans les conditions de majorité requise pour la création », i.e.
  art. L5211-5 II (text read, etalab commit 809f184): « deux tiers au moins des conseils municipaux des communes
  intéressées représentant plus de la moitié de la population totale de celles-ci, ou […] la moitié au moins des
  conseils municipaux des communes représentant les deux tiers de la population » ; « Cette majorité doit
  nécessairement comprendre […] le conseil municipal de la commune dont la population est la plus nombreuse, lorsque
  celle-ci est supérieure au quart de la population totale concernée » ; silence for three months = favourable.
- ``"changement_categorie"`` — art. L5211-41 (transformation into a CU or a métropole-eligible EPCI): the councils
  « se prononçant dans les conditions requises pour la création », same majority as above.
- ``"accord_local"`` — art. L5211-6-1 I: until 20 June 2014 « deux tiers au moins des conseils municipaux des communes
  intéressées représentant la moitié de la population totale de celles-ci ou de la moitié des conseils municipaux des
  communes intéressées représentant les deux tiers » (no clause on the largest commune, population shares not
  strict); no accord local from 21 June 2014 (decision n° 2014-405 QPC); from 11 March 2015 (I 2°, loi n° 2015-264):
  « plus de la moitié » / « plus des deux tiers » and the largest commune when it exceeds a quarter.
- ``"sieges_supplementaires_vi"`` — art. L5211-6-1 VI: « deux tiers des conseils municipaux des communes intéressées
  représentant plus de la moitié de la population totale de celles-ci ou […] la moitié au moins des conseils
  municipaux des communes représentant les deux tiers de la population totale » (2014 text; whether loi n° 2015-264
  added the largest-commune clause is not verified).
- ``"statut_metropole"`` — art. L5217-1 (MAPTAM, then 3° of loi n° 2017-257): « deux tiers au moins des conseils
  municipaux des communes intéressées représentant plus de la moitié de la population totale de celles-ci ou […] la
  moitié au moins des conseils municipaux des communes représentant les deux tiers de la population » (no clause).
- ``"deux_tiers_conseil"`` — « à la majorité des deux tiers du conseil » (intérêt communautaire: L5216-5 III, L5215-20
  I last paragraph, L5217-2 I): two thirds of the council's seats; ``base="exprimes"`` counts only the votes cast.
- ``"unanimite_conseil"`` — free revision of the attributions de compensation until 2014 (1609 nonies C V 1° bis CGI);
  ``"unanimite_communes"`` — every municipal council (e.g. FPIC free allocation from 2015).

« deux tiers au moins » / « la moitié au moins » of the councils = at least; « plus de » = strictly more; « représentant
la moitié / les deux tiers » = at least. Exact fractions throughout.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations, islice
from math import ceil, comb, floor
from typing import Any, Mapping

import numpy as np
import pandas as pd

from orleans_gov.base.parametres import date_effet
from orleans_gov.scenarios.gouvernance.conseil import valider_populations

DEUX_TIERS, MOITIE, QUART = Fraction(2, 3), Fraction(1, 2), Fraction(1, 4)


@dataclass(frozen=True)
class Branche:
    """« part_conseils au moins des conseils municipaux représentant (plus de) part_population de la population »."""

    part_conseils: Fraction
    part_population: Fraction
    population_stricte: bool


@dataclass(frozen=True)
class Version:
    debut: _dt.date
    reference: str
    branches: tuple[Branche, ...] = ()
    plus_peuplee_quart: bool = False
    silence_vaut_accord: bool = False
    type: str = "communes"  # "communes", "conseil" (seats), "unanimite_conseil", "unanimite_communes", "inexistante"


CREATION = (Branche(DEUX_TIERS, MOITIE, True), Branche(MOITIE, DEUX_TIERS, False))
RCT = _dt.date(2010, 12, 18)
REGLES: dict[str, tuple[Version, ...]] = {
    "transfert_competence": (Version(RCT, "CGCT art. L5211-17 et L5211-5 II (loi n° 2010-1563)", CREATION,
                                     plus_peuplee_quart=True, silence_vaut_accord=True),),
    "changement_categorie": (Version(RCT, "CGCT art. L5211-41 et L5211-5 II (loi n° 2010-1563)", CREATION,
                                     plus_peuplee_quart=True, silence_vaut_accord=True),),
    "accord_local": (
        Version(RCT, "CGCT art. L5211-6-1 I (lois n° 2010-1563 et n° 2012-1561)",
                (Branche(DEUX_TIERS, MOITIE, False), Branche(MOITIE, DEUX_TIERS, False))),
        Version(_dt.date(2014, 6, 21), "décision n° 2014-405 QPC du 20 juin 2014 : pas d'accord local",
                type="inexistante"),
        Version(_dt.date(2015, 3, 11), "CGCT art. L5211-6-1 I 2° (loi n° 2015-264 du 9 mars 2015)",
                (Branche(DEUX_TIERS, MOITIE, True), Branche(MOITIE, DEUX_TIERS, True)), plus_peuplee_quart=True)),
    "sieges_supplementaires_vi": (Version(RCT, "CGCT art. L5211-6-1 VI (loi n° 2010-1563 ; rédaction 2014)",
                                          CREATION),),
    "statut_metropole": (Version(_dt.date(2014, 1, 29), "CGCT art. L5217-1 (loi n° 2014-58 ; 3° : loi n° 2017-257)",
                                 CREATION),),
    "deux_tiers_conseil": (Version(_dt.date(1999, 7, 13), "CGCT art. L5216-5 III, L5215-20 I, L5217-2 I (intérêt "
                                   "communautaire ou métropolitain, deux tiers du conseil)",
                                   (Branche(DEUX_TIERS, Fraction(0), False),), type="conseil"),),
    "unanimite_conseil": (Version(_dt.date(1999, 7, 13), "CGI art. 1609 nonies C V 1° bis (rédaction jusqu'au "
                                  "31 décembre 2014)", type="unanimite_conseil"),),
    "unanimite_communes": (Version(_dt.date(1999, 7, 13), "accord de tous les conseils municipaux (p. ex. FPIC, "
                                   "répartition libre, CGCT art. L2336-3 et L2336-5 depuis 2015)",
                                   type="unanimite_communes"),),
}


def version(regle: str, date: Any) -> Version:
    """The version of ``regle`` in force at ``date``."""
    if regle not in REGLES:
        raise ValueError(f"règle de majorité inconnue : « {regle} » (attendu : {', '.join(REGLES)})")
    d = date_effet(date)
    courante = None
    for v in REGLES[regle]:
        if v.debut <= d:
            courante = v
    if courante is None:
        raise KeyError(f"règle « {regle} » sans version en vigueur au {d.isoformat()}")
    return courante


def _seuil(part: Fraction, total: int, stricte: bool) -> int:
    """The smallest integer x with x > part·total (stricte) or x ≥ part·total."""
    q = part * total
    return floor(q) + 1 if stricte else ceil(q)


@dataclass(frozen=True)
class Resultat:
    """``adoptee``; ``branches`` (per branch: councils for / required, population for / required, met);
    ``plus_peuplee`` (the largest commune, whether its council is required and voted for); ``reference``."""

    adoptee: bool
    regle: str
    reference: str
    branches: pd.DataFrame
    plus_peuplee: Any
    plus_peuplee_requise: bool
    plus_peuplee_pour: bool


def _favorables(votes: Mapping[Any, Any], index: pd.Index, silence: bool) -> list[bool]:
    inconnues = set(votes) - set(index)
    if inconnues:
        raise ValueError(f"votes : communes inconnues {sorted(map(str, inconnues))}")
    return [bool(votes[c]) if votes.get(c) is not None else silence for c in index]


def majorite_qualifiee(votes: Mapping[Any, Any], populations: pd.Series, date: Any, regle: str, *,
                       sieges: pd.Series | None = None, base: str = "sieges") -> Resultat:
    """Whether a decision carries under ``regle`` at ``date``.

    ``votes``: commune → ``True`` (favourable), ``False`` (against) or ``None``/absent (no deliberation: favourable
    where the rule says silence is consent, otherwise not counted for). For ``"deux_tiers_conseil"`` and
    ``"unanimite_conseil"`` a vote is the commune's whole delegation (``bool``) or its number of favourable seats
    (``int``) and ``sieges`` gives the seats; ``base="exprimes"`` counts only delegations that voted.
    """
    pops = valider_populations(populations)
    v = version(regle, date)
    n, total = len(pops), int(pops.sum())
    plus = pops.idxmax()
    lignes = []
    if v.type == "inexistante":
        return Resultat(False, regle, v.reference, pd.DataFrame(lignes), plus, False, False)
    if v.type in ("conseil", "unanimite_conseil"):
        if sieges is None:
            raise ValueError(f"règle « {regle} » : les sièges de chaque commune sont requis")
        s = sieges.reindex(pops.index).fillna(0).astype("int64")
        pour = sum(min(int(s[c]), int(votes[c]) if not isinstance(votes[c], bool) else int(s[c]) * votes[c])
                   for c in pops.index if votes.get(c) is not None)
        votants = sum(int(s[c]) for c in pops.index if votes.get(c) is not None)
        assiette = votants if base == "exprimes" else int(s.sum())
        requis = assiette if v.type == "unanimite_conseil" else _seuil(DEUX_TIERS, assiette, False)
        ok = assiette > 0 and pour >= requis
        lignes.append({"branche": v.type, "sieges_pour": pour, "sieges_requis": requis, "satisfaite": ok})
        return Resultat(ok, regle, v.reference, pd.DataFrame(lignes), plus, False, bool(votes.get(plus)))
    fav = _favorables(votes, pops.index, v.silence_vaut_accord)
    conseils = sum(fav)
    pop_pour = int(sum(int(p) for p, f in zip(pops, fav) if f))
    if v.type == "unanimite_communes":
        ok = conseils == n
        lignes.append({"branche": "unanimite", "conseils_pour": conseils, "conseils_requis": n,
                       "population_pour": pop_pour, "population_requise": 0, "satisfaite": ok})
        return Resultat(ok, regle, v.reference, pd.DataFrame(lignes), plus, True, fav[list(pops.index).index(plus)])
    for k, b in enumerate(v.branches, start=1):
        c_req = _seuil(b.part_conseils, n, False)
        p_req = _seuil(b.part_population, total, b.population_stricte)
        lignes.append({"branche": k, "conseils_pour": conseils, "conseils_requis": c_req, "population_pour": pop_pour,
                       "population_requise": p_req, "satisfaite": conseils >= c_req and pop_pour >= p_req})
    requise = v.plus_peuplee_quart and Fraction(int(pops[plus]), total) > QUART
    plus_pour = fav[list(pops.index).index(plus)]
    ok = any(l["satisfaite"] for l in lignes) and (plus_pour or not requise)
    return Resultat(ok, regle, v.reference, pd.DataFrame(lignes), plus, requise, plus_pour)


# ---------------------------------------------------------------------------------------------------------------
# Pivot analysis
# ---------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AnalysePivot:
    """Smallest coalitions: ``taille_adoption`` communes voting for carry the vote when all others vote against
    (``nombre_adoption`` such coalitions, the first ``limite`` in ``coalitions_adoption``, most populous first);
    ``taille_blocage`` communes voting against block it when all others vote for; ``veto`` = communes whose
    refusal alone blocks. ``None`` sizes: no coalition of any size."""

    regle: str
    reference: str
    taille_adoption: int | None
    nombre_adoption: int
    coalitions_adoption: list[tuple]
    taille_blocage: int | None
    nombre_blocage: int
    coalitions_blocage: list[tuple]
    veto: list


class _Comptage:
    """Number of subsets of k items (``obligatoire`` always in, ``exclu`` always out) of total weight ≥ a threshold,
    for every k, from one subset-sum table (dynamic programming on count × weight)."""

    def __init__(self, poids: list[int], obligatoire: int | None, exclu: int | None):
        self.items = [i for i in range(len(poids)) if i != obligatoire and i != exclu]
        self.w0 = poids[obligatoire] if obligatoire is not None else 0
        self.dedans = obligatoire is not None
        w_tot = sum(poids[i] for i in self.items)
        k_max = len(self.items)
        table = np.zeros((k_max + 1, w_tot + 1), dtype=np.int64 if len(poids) <= 60 else object)
        table[0, 0] = 1
        for i in self.items:
            w = poids[i]
            table[1:, w:] = table[1:, w:] + table[:-1, :w_tot + 1 - w]
        self.queue = np.flip(np.cumsum(np.flip(table, axis=1), axis=1), axis=1)  # queue[k, w] = Σ_{w' ≥ w}

    def nombre(self, taille: int, seuil: int) -> int:
        k0 = taille - self.dedans
        if k0 < 0 or k0 >= self.queue.shape[0]:
            return 0
        w = max(0, seuil - self.w0)
        return int(self.queue[k0, w]) if w < self.queue.shape[1] else 0


def _lister(poids: list[int], taille: int, seuil: int, obligatoire: int | None, exclu: int | None,
            limite: int) -> list[tuple[int, ...]]:
    """The subsets counted by :class:`_Comptage`, heaviest first (branch and bound), at most ``limite``."""
    ordre = sorted((i for i in range(len(poids)) if i != obligatoire and i != exclu), key=lambda i: -poids[i])
    k0 = taille - (obligatoire is not None)
    depart = (obligatoire,) if obligatoire is not None else ()
    w0 = poids[obligatoire] if obligatoire is not None else 0
    trouves: list[tuple[int, ...]] = []

    def parcourir(pos: int, choix: tuple, w: int, reste: int) -> None:
        if len(trouves) >= limite:
            return
        if reste == 0:
            if w >= seuil:
                trouves.append(choix)
            return
        if len(ordre) - pos < reste or w + sum(poids[i] for i in ordre[pos:pos + reste]) < seuil:
            return
        for j in range(pos, len(ordre) - reste + 1):
            parcourir(j + 1, choix + (ordre[j],), w + poids[ordre[j]], reste - 1)

    if k0 >= 0:
        parcourir(0, depart, w0, k0)
    return trouves


def coalitions_pivots(populations: pd.Series, date: Any, regle: str, *, sieges: pd.Series | None = None,
                      limite: int = 20) -> AnalysePivot:
    """Smallest coalitions that carry / block a vote under ``regle`` at ``date`` (every council deliberates).

    A coalition carries when its members vote for and all the others against; it blocks when its members vote
    against and all the others for. Counts are exact; lists hold at most ``limite`` coalitions, most populous (or
    most seated) first.
    """
    pops = valider_populations(populations)
    v = version(regle, date)
    noms = list(pops.index)
    n = len(noms)
    if v.type == "inexistante":
        return AnalysePivot(regle, v.reference, None, 0, [], None, 0, [], [])
    obligatoire = None
    if v.type in ("conseil", "unanimite_conseil"):
        if sieges is None:
            raise ValueError(f"règle « {regle} » : les sièges de chaque commune sont requis")
        poids = [int(x) for x in sieges.reindex(pops.index).fillna(0)]
        seuil_w = sum(poids) if v.type == "unanimite_conseil" else _seuil(DEUX_TIERS, sum(poids), False)
        seuils: dict[int, int | None] = {k: seuil_w for k in range(n + 1)}
    else:
        poids = [int(x) for x in pops]
        total = sum(poids)
        seuils = {}
        for k in range(n + 1):
            if v.type == "unanimite_communes":
                seuils[k] = 0 if k == n else None
                continue
            ok = [_seuil(b.part_population, total, b.population_stricte) for b in v.branches
                  if k >= _seuil(b.part_conseils, n, False)]
            seuils[k] = min(ok) if ok else None
        i_max = int(np.argmax(poids))
        if v.plus_peuplee_quart and Fraction(poids[i_max], total) > QUART:
            obligatoire = i_max
    w_tot = sum(poids)
    par_poids = sorted(range(n), key=lambda i: -poids[i])
    gagnants = _Comptage(poids, obligatoire, None)
    t_a, n_a, liste_a = None, 0, []
    for k in range(n + 1):
        if seuils[k] is not None and gagnants.nombre(k, seuils[k]):
            t_a, n_a = k, gagnants.nombre(k, seuils[k])
            liste_a = _lister(poids, k, seuils[k], obligatoire, None, limite)
            break
    sans = _Comptage(poids, None, obligatoire)
    t_b, n_b, liste_b = None, 0, []
    for k in range(1, n + 1):
        s_c = seuils[n - k]  # the n − k others, voting for, must fail
        if s_c is None:
            nombre = comb(n, k)
            liste = list(islice(combinations(par_poids, k), limite))
        else:
            seuil_b = w_tot - s_c + 1
            nombre = sans.nombre(k, seuil_b)
            liste = _lister(poids, k, seuil_b, None, obligatoire, limite)
            if obligatoire is not None:  # any coalition with the required commune blocks
                nombre += comb(n - 1, k - 1)
                autres = [i for i in par_poids if i != obligatoire]
                avec = [(obligatoire,) + c for c in islice(combinations(autres, k - 1), limite)]
                liste = (avec + liste)[:limite]
        if nombre:
            t_b, n_b, liste_b = k, nombre, liste
            break
    s_1 = seuils[n - 1]
    veto = [noms[i] for i in range(n) if i == obligatoire or s_1 is None or w_tot - poids[i] < s_1]

    def nommer(cs: list[tuple]) -> list[tuple]:
        return [tuple(noms[i] for i in c) for c in cs]

    return AnalysePivot(regle, v.reference, t_a, n_a, nommer(liste_a), t_b, n_b, nommer(liste_b), veto)
