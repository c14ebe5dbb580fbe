"""Composition of the conseil communautaire by the droit commun — art. L5211-6-1 II to VI CGCT, as in force at a date.

Texts (read: etalab/codes-juridiques-francais, commits c1a3577 = loi n° 2012-1561, 4635c4c = loi n° 2014-58):

- III: « Chaque organe délibérant est composé de conseillers communautaires dont le nombre est établi à partir du
  tableau ci-dessous » (population municipale of the EPCI → seats; barème ``conseil_communautaire.sieges_tableau``).
- IV 1°: the table's seats « sont répartis entre les communes à la représentation proportionnelle à la plus forte
  moyenne, sur la base de leur population municipale authentifiée par le plus récent décret ».
- IV 2°: « Les communes n'ayant pu bénéficier de la répartition de sièges prévue au 1° […] se voient attribuer un
  siège, au-delà de l'effectif fixé par le tableau du III ».
- IV 3°: a commune with « plus de la moitié des sièges de l'organe délibérant » keeps « la moitié des sièges […],
  arrondie à l'entier inférieur » ; the freed seats « sont ensuite répartis entre les autres communes suivant la règle
  de la plus forte moyenne ».
- IV 4°: if a commune gets more seats than its municipal councillors (art. L2121-2, barème
  ``conseil_municipal.effectif``), « le nombre total de sièges […] est réduit à due concurrence […] à l'issue d'une
  nouvelle application des 1° à 3° ».
- IV 5°: « En cas d'égalité de la plus forte moyenne entre des communes lors de l'attribution du dernier siège, chacune
  de ces communes se voit attribuer un siège ».
- V (CC and CA): if the IV 2° seats « excèdent 30 % du nombre de sièges définis au deuxième alinéa du III, 10 % du
  nombre total de sièges issus de l'application des III et IV sont attribués aux communes selon les modalités prévues
  au IV. Dans ce cas, il ne peut être fait application du VI. » Rounded down and allocated at the highest average on
  the basis of the IV 1° seats: CE, 15 November 2017, n° 410338 and 410340.
- VI: « les communes peuvent créer et répartir un nombre de sièges inférieur ou égal à 10 % du nombre total de sièges
  issu de l'application des III et IV » ; « Pour les communautés urbaines et les métropoles, cette décision peut fixer
  pour une commune un nombre de sièges supérieur à la moitié des sièges » (2014 text). The 2° of art. 1 of loi
  n° 2015-264 « prévoit les conditions dans lesquelles des sièges supplémentaires peuvent être répartis entre les
  communes », upheld « dans les mêmes conditions » as the accord local (summary of decision n° 2015-711 DC,
  affiches-parisiennes.com): the post-2015 wording of the VI was not read, hence the explicit ``lecture_vi``.
  Rounding: « ce pourcentage de 10 % constitue, pour le V comme pour le VI, la limite maximale », rounded down
  (CE, 15 November 2017, n° 410338, summary idcite.com).

Readings chosen (explicit parameters, defaults stated):

- ``moyenne_iv_3_avec_siege_de_droit=True``: in the IV 3° redistribution the averages count every seat the other
  communes hold, including the IV 2° seat (research exemples.md A-1); ``False`` counts only the IV 1° seats.
- V: averages count the IV 1° seats plus the V seats already given (CE 2017); the IV 2° seats stay.
- VI key: the law leaves the allocation to the communes; :func:`sieges_droit_commun` illustrates it with the highest
  average continued from the III + IV seats (ties to the more populous commune), capped at half the seats in CC/CA
  and at the municipal councillors. ``lecture_vi`` (from loi n° 2015-264 on): ``"proportionnalite_toutes"``
  (default: every VI allocation must pass the 20 % test of :mod:`.proportionnalite`),
  ``"proportionnalite_cc_ca"`` (only in CC and CA), ``"libre"`` (no test). Under a
  test, the VI seats are the largest number k ≤ the maximum for which an admissible allocation exists: the
  highest-average one if it passes, else :func:`.proportionnalite.choisir`.
  :func:`orleans_gov.scenarios.gouvernance.accords.repartitions_vi_valides` lists them all.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from fractions import Fraction
from math import floor
from typing import Any, Callable, Sequence

import pandas as pd

from orleans_gov.base.parametres import Parametres, date_effet, parametres
from orleans_gov.scenarios.gouvernance.proportionnalite import Cadre, Lectures, choisir, ordre_population

CATEGORIES = ("communaute_communes", "communaute_agglomeration", "communaute_urbaine", "metropole")
CATEGORIES_ACCORD_LOCAL = ("communaute_communes", "communaute_agglomeration")
LECTURES_VI = ("proportionnalite_toutes", "proportionnalite_cc_ca", "libre")
DEBUT_LOI_2015_264 = _dt.date(2015, 3, 11)
P = "conseil_communautaire."


def valider_populations(populations: pd.Series) -> pd.Series:
    """Populations as a Series of positive integers with a unique index (one row per commune)."""
    if not isinstance(populations, pd.Series) or populations.empty:
        raise ValueError("populations : série non vide attendue (une valeur par commune)")
    if not populations.index.is_unique:
        raise ValueError("populations : une commune apparaît deux fois")
    if populations.isna().any() or (populations <= 0).any():
        raise ValueError("populations : valeurs strictement positives attendues")
    if not (populations == populations.round()).all():
        raise ValueError("populations : nombres entiers d'habitants attendus")
    return populations.astype("int64")


def valider_categorie(categorie: str) -> str:
    if categorie not in CATEGORIES:
        raise ValueError(f"catégorie inconnue : « {categorie} » (attendu : {', '.join(CATEGORIES)})")
    return categorie


def fraction(x: float) -> Fraction:
    """An exact fraction from a parameter value (0.25 → 1/4, 0.6666… → 2/3)."""
    return Fraction(x).limit_denominator(1000)


def plus_forte_moyenne(pops: Sequence[int], moyennes: list[int], detenus: list[int], n: int, *,
                       egalite: str = "tous", admissible: Callable[[int], bool] | None = None) -> list[int]:
    """Allocate ``n`` seats one by one to the highest average ``pop_i / (moyennes_i + 1)`` (exact comparison).

    ``moyennes`` = seats counted in the averages, ``detenus`` = seats held (both updated in place). A tie between
    communes that covers the last seats: ``egalite="tous"`` gives each tied commune a seat (art. L5211-6-1 IV 5°, the
    total may exceed ``n``); ``"plus_peuplee"`` gives the remaining seats to the more populous ones. ``admissible(i)``
    excludes a commune (cap reached). Returns the seats added per commune.
    """
    ajout = [0] * len(pops)
    reste = n
    while reste > 0:
        candidats = [i for i in range(len(pops)) if admissible is None or admissible(i)]
        if not candidats:
            break
        meilleure = max(Fraction(pops[i], moyennes[i] + 1) for i in candidats)
        ex_aequo = [i for i in candidats if Fraction(pops[i], moyennes[i] + 1) == meilleure]
        if len(ex_aequo) > reste and egalite == "plus_peuplee":
            ex_aequo = sorted(ex_aequo, key=lambda i: (-pops[i], i))[:reste]
        for i in ex_aequo:
            moyennes[i] += 1
            detenus[i] += 1
            ajout[i] += 1
        reste -= len(ex_aequo)
    return ajout


def _iii_iv(pops: list[int], n_tableau: int, moyenne_iv_3_avec_droit: bool) -> dict[str, list[int]]:
    """IV 1° to 3° for a given number of table seats."""
    k = len(pops)
    s1 = plus_forte_moyenne(pops, [0] * k, [0] * k, n_tableau, egalite="tous")
    droit = [1 if s == 0 else 0 for s in s1]
    apres2 = [a + b for a, b in zip(s1, droit)]
    total = sum(apres2)
    ajust3 = [0] * k
    for i in range(k):
        if 2 * apres2[i] > total:
            plafond = total // 2
            ajust3[i] = plafond - apres2[i]
            detenus = apres2.copy()
            detenus[i] = plafond
            base = detenus.copy() if moyenne_iv_3_avec_droit else s1.copy()
            ajout = plus_forte_moyenne(pops, base, detenus, apres2[i] - plafond, egalite="tous",
                                       admissible=lambda j, i=i: j != i)
            for j in range(k):
                ajust3[j] += ajout[j]
            break
    return {"s1": s1, "droit": droit, "ajust3": ajust3, "iii_iv": [a + b for a, b in zip(apres2, ajust3)]}


@dataclass(frozen=True)
class RepartitionSieges:
    """Seats by the droit commun of art. L5211-6-1, each step in a column of ``communes``.

    ``communes`` columns: ``population``, ``part_population``, ``quotient`` (population × table seats / population of
    the EPCI), ``sieges_iv_1``, ``siege_de_droit_iv_2``, ``ajustement_iv_3``, ``sieges_iii_iv``,
    ``conseillers_municipaux`` (art. L2121-2), ``sieges_v``, ``sieges_vi``, ``sieges``.
    """

    communes: pd.DataFrame
    date: _dt.date
    categorie: str
    population: int
    sieges_tableau: int
    reduction_iv_4: int
    sieges_egalite_iv_5: int
    sieges_de_droit: int
    sieges_iii_iv: int
    v_applique: bool
    sieges_v: int
    sieges_vi_maximum: int
    sieges_vi: int
    total: int

    @property
    def sieges(self) -> pd.Series:
        return self.communes["sieges"]


def conseillers_municipaux(populations: pd.Series, date: Any, parametres_: Parametres | None = None) -> pd.Series:
    """Number of municipal councillors of each commune (art. L2121-2 CGCT, barème ``conseil_municipal.effectif``)."""
    b = (parametres_ or parametres()).bareme("conseil_municipal.effectif")
    return populations.map(lambda x: int(b(x, date))).astype("int64").rename("conseillers_municipaux")


def allouer_vi(pops: list[int], base: list[int], k: int, demi_plafond: bool, conseillers: list[int]) -> list[int]:
    """The VI illustration key: ``k`` seats at the highest average from ``base`` (ties to the more populous commune),
    capped at half of the final total when ``demi_plafond`` and at the municipal councillors."""
    total = sum(base) + k
    detenus = base.copy()

    def admissible(i: int) -> bool:
        return detenus[i] < conseillers[i] and (not demi_plafond or 2 * (detenus[i] + 1) <= total)

    plus_forte_moyenne(pops, base.copy(), detenus, k, egalite="plus_peuplee", admissible=admissible)
    return [d - b for d, b in zip(detenus, base)]


def admissible_vi(cadre: Cadre, vecteur: list[int], monotone: bool) -> bool:
    """Whether a whole seat vector passes the 20 % test of :class:`.proportionnalite.Cadre` (and monotonicity)."""
    total = sum(vecteur)
    if any(cadre.motif(i, s, total) is None for i, s in enumerate(vecteur)):
        return False
    ordre = ordre_population(cadre.pops)
    return not monotone or all(vecteur[a] >= vecteur[b] for a, b in zip(ordre, ordre[1:]))


def sieges_droit_commun(populations: pd.Series, date: Any, categorie: str, sieges_supplementaires_10pct: bool = False,
                        *, conseillers: pd.Series | None = None, lecture_vi: str = "proportionnalite_toutes",
                        lectures: Lectures = Lectures(), moyenne_iv_3_avec_siege_de_droit: bool = True,
                        parametres_: Parametres | None = None) -> RepartitionSieges:
    """Seats per commune by art. L5211-6-1 III, IV (1° to 5°), V and, if ``sieges_supplementaires_10pct``, VI.

    ``populations``: population municipale authentifiée per commune (IV 1°); ``date``: date of the operations (for
    the 2014 renewal, at the latest 31 August 2013, VII); ``categorie``: one of :data:`CATEGORIES`. ``conseillers``
    overrides the L2121-2 councillors (IV 4°). ``lectures``: readings of the 20 % test applied to the VI seats when
    ``lecture_vi`` requires it. See the module docstring for the readings.
    """
    pops_s = valider_populations(populations)
    valider_categorie(categorie)
    if lecture_vi not in LECTURES_VI:
        raise ValueError(f"lecture_vi inconnue : « {lecture_vi} » (attendu : {', '.join(LECTURES_VI)})")
    d = date_effet(date)
    par = parametres_ or parametres()
    pops = [int(x) for x in pops_s]
    population = sum(pops)
    n_tableau = int(par.bareme(P + "sieges_tableau")(population, d))
    cons_s = conseillers_municipaux(pops_s, d, par) if conseillers is None else conseillers.reindex(pops_s.index)
    if cons_s.isna().any():
        raise ValueError("conseillers : une commune n'a pas de nombre de conseillers municipaux")
    cons = [int(x) for x in cons_s]
    n = n_tableau
    while True:  # IV 4°: reduce the table seats until no commune exceeds its municipal councillors
        etapes = _iii_iv(pops, n, moyenne_iv_3_avec_siege_de_droit)
        if all(s <= c for s, c in zip(etapes["iii_iv"], cons)) or n <= 1:
            break
        n -= 1
    iii_iv = etapes["iii_iv"]
    n_iii_iv = sum(iii_iv)
    sieges_de_droit = sum(etapes["droit"])
    egalite_iv_5 = sum(etapes["s1"]) - n
    k = len(pops)
    sieges_v = [0] * k
    v_applique = (categorie in CATEGORIES_ACCORD_LOCAL
                  and Fraction(sieges_de_droit) > fraction(par(P + "sieges_de_droit_declenchement_v", d)) * n_tableau)
    if v_applique:
        n_v = floor(fraction(par(P + "taux_sieges_v", d)) * n_iii_iv)
        detenus = iii_iv.copy()
        moy = list(etapes["s1"])
        plus_forte_moyenne(pops, moy, detenus, n_v, egalite="tous", admissible=lambda i: detenus[i] < cons[i])
        total_v = sum(detenus)
        for i in range(k):  # IV 3° applies again to the enlarged council
            if 2 * detenus[i] > total_v:
                libere = detenus[i] - total_v // 2
                detenus[i] = total_v // 2
                plus_forte_moyenne(pops, detenus.copy(), detenus, libere, egalite="tous",
                                   admissible=lambda j, i=i: j != i and detenus[j] < cons[j])
        sieges_v = [a - b for a, b in zip(detenus, iii_iv)]
    n_vi_max = 0 if v_applique else floor(fraction(par(P + "taux_sieges_vi", d)) * n_iii_iv)
    sieges_vi = [0] * k
    if sieges_supplementaires_10pct and n_vi_max:
        demi = categorie in CATEGORIES_ACCORD_LOCAL
        teste = d >= DEBUT_LOI_2015_264 and (lecture_vi == "proportionnalite_toutes"
                                             or (lecture_vi == "proportionnalite_cc_ca" and demi))
        cadre = Cadre(tuple(pops), tuple(iii_iv), tuple(etapes["s1"]),
                      fraction(par(P + "accord_local.ecart_proportionnalite", d)) if teste else Fraction(0),
                      lectures, demi_plafond=demi)
        for n_vi in range(n_vi_max, 0, -1):
            ajout = allouer_vi(pops, iii_iv, n_vi, demi, cons)
            if not teste or admissible_vi(cadre, [a + b for a, b in zip(iii_iv, ajout)], lectures.monotonie):
                sieges_vi = ajout
                break
            total_vi = n_iii_iv + n_vi
            ens = cadre.ensembles(total_vi, iii_iv, [min(b + n_vi, c) for b, c in zip(iii_iv, cons)])
            choix = choisir(cadre, ens, total_vi, lectures.monotonie)
            if choix is not None:
                sieges_vi = [a - b for a, b in zip(choix, iii_iv)]
                break
    final = [a + b + c for a, b, c in zip(iii_iv, sieges_v, sieges_vi)]
    tableau = pd.DataFrame({
        "population": pops, "part_population": [x / population for x in pops],
        "quotient": [x * n / population for x in pops], "sieges_iv_1": etapes["s1"],
        "siege_de_droit_iv_2": etapes["droit"], "ajustement_iv_3": etapes["ajust3"], "sieges_iii_iv": iii_iv,
        "conseillers_municipaux": cons, "sieges_v": sieges_v, "sieges_vi": sieges_vi, "sieges": final,
    }, index=pops_s.index)
    return RepartitionSieges(communes=tableau, date=d, categorie=categorie, population=population,
                             sieges_tableau=n_tableau, reduction_iv_4=n_tableau - n, sieges_egalite_iv_5=egalite_iv_5,
                             sieges_de_droit=sieges_de_droit, sieges_iii_iv=n_iii_iv, v_applique=v_applique,
                             sieges_v=sum(sieges_v), sieges_vi_maximum=n_vi_max, sieges_vi=sum(sieges_vi),
                             total=sum(final))


def poids_conseil(repartition: pd.Series, populations: pd.Series) -> pd.DataFrame:
    """Each commune's share of seats against its share of population (the ratio of art. L5211-6-1 I 2° e)).

    Columns: ``sieges``, ``part_sieges``, ``population``, ``part_population``, ``ratio`` (= part_sieges /
    part_population; 1 = proportional), ``ecart`` (= ratio − 1), ordered by decreasing population.
    """
    pops = valider_populations(populations)
    sieges = repartition.reindex(pops.index)
    if sieges.isna().any():
        raise ValueError("répartition : une commune des populations n'a pas de sièges")
    t = pd.DataFrame({"sieges": sieges.astype("int64"), "population": pops})
    t["part_sieges"] = t["sieges"] / t["sieges"].sum()
    t["part_population"] = t["population"] / t["population"].sum()
    t["ratio"] = t["part_sieges"] / t["part_population"]
    t["ecart"] = t["ratio"] - 1
    return t[["sieges", "part_sieges", "population", "part_population", "ratio", "ecart"]].sort_values(
        "population", ascending=False, kind="stable")
