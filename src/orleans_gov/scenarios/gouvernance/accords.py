"""Accords locaux (art. L5211-6-1 I CGCT) and VI seats: validity of a given allocation, exact list of the valid ones.

Rules by date (parameters ``conseil_communautaire.accord_local.*``):

- 2010-12-18 → 2014-06-20, I (lois n° 2010-1563 and n° 2012-1561; text read, etalab commit c1a3577): only in CC and
  CA; « Cette répartition tient compte de la population de chaque commune. Chaque commune dispose d'au moins un siège
  et aucune commune ne peut disposer de plus de la moitié des sièges. Le nombre de sièges total ne peut excéder de
  plus de 25 % [10 % before 2 January 2013] le nombre de sièges qui serait attribué en application des III et IV ».
- 2014-06-21 → 2015-03-10: no accord local (decision n° 2014-405 QPC abrogated the second paragraph of I).
- from 2015-03-11, I 2° a) to e) (loi n° 2015-264, text read on Légifrance): a) total ≤ 125 % of III + IV; b) seats
  « en fonction de la population municipale » ; c) ≥ 1 seat; d) ≤ half of the seats; e) the 20 % test with its two
  exceptions (:mod:`.proportionnalite`).

The deliberation itself needs the qualified majority of :func:`.majorites.majorite_qualifiee` (rule
``"accord_local"``); it is not checked here. Readings: :class:`.proportionnalite.Lectures` (``monotonie`` = the reading
of « tient compte de la population » / « en fonction de la population »).

Enumeration (what the AMF simulator does: « l'intégralité des accords locaux de répartition des sièges dans le cadre
défini par la loi »): for each total T up to the cap, each commune's admissible seat numbers are listed
(:meth:`.proportionnalite.Cadre.ensembles`), then the vectors summing to T are counted exactly and listed in order by
dynamic programming (:class:`.proportionnalite.Denombrement`), up to ``limite``.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from fractions import Fraction
from math import floor
from typing import Any

import pandas as pd

from orleans_gov.base.parametres import Parametres, date_effet, parametres
from orleans_gov.scenarios.gouvernance.conseil import (CATEGORIES_ACCORD_LOCAL, P, RepartitionSieges, fraction,
                                                        sieges_droit_commun, valider_categorie, valider_populations)
from orleans_gov.scenarios.gouvernance.proportionnalite import Cadre, Denombrement, Lectures, ordre_population

ARTICLE_2015 = "CGCT art. L5211-6-1 I 2° {} (loi n° 2015-264 du 9 mars 2015)"
ARTICLE_2012 = "CGCT art. L5211-6-1 I (rédaction de la loi n° 2012-1561 du 31 décembre 2012)"
ARTICLE_2010 = "CGCT art. L5211-6-1 I (rédaction de la loi n° 2010-1563 du 16 décembre 2010)"
ARTICLE_QPC = "décision n° 2014-405 QPC du 20 juin 2014 (abrogation du deuxième alinéa du I de L5211-6-1)"
LETTRES_2015 = {"plafond_total": "a)", "en_fonction_population": "b)", "un_siege_par_commune": "c)",
                "moitie_des_sieges": "d)", "ecart_proportionnalite": "e)",
                "reserve_2015_711_dc": "e) (réserve de la décision n° 2015-711 DC)"}


def _article(regle: str, d: _dt.date, par: Parametres) -> str:
    if regle == "categorie":
        return "CGCT art. L5211-6-1 I (accord local réservé aux communautés de communes et d'agglomération)"
    if regle == "accord_local_non_prevu":
        return ARTICLE_QPC
    if _ecart(d, par) is not None:
        return ARTICLE_2015.format(LETTRES_2015[regle])
    return ARTICLE_2012 if d >= _dt.date(2013, 1, 2) else ARTICLE_2010


def _ecart(d: _dt.date, par: Parametres) -> Fraction | None:
    try:
        return fraction(par(P + "accord_local.ecart_proportionnalite", d))
    except KeyError:
        return None


@dataclass(frozen=True)
class VerificationAccord:
    """``valide``; ``violations`` (columns ``regle``, ``article``, ``commune``, ``valeur``, ``limite``); ``communes``
    (seats, shares, ``ratio``, III + IV seats and ratio, IV 1° seats, ``motif`` of the e) test, ``conforme``)."""

    valide: bool
    violations: pd.DataFrame
    communes: pd.DataFrame
    total: int
    total_maximum: int
    sieges_iii_iv: int


def _droit_commun(pops: pd.Series, d: _dt.date, categorie: str, par: Parametres) -> RepartitionSieges:
    return sieges_droit_commun(pops, d, categorie, parametres_=par)


def total_maximum(dc: RepartitionSieges, d: _dt.date, par: Parametres) -> int:
    """⌊(1 + majoration) × (III + IV seats)⌋ — I 2° a) (I before 2014)."""
    return floor((1 + fraction(par(P + "accord_local.plafond_majoration", d))) * dc.sieges_iii_iv)


def verifier_accord_local(populations: pd.Series, repartition: pd.Series, date: Any,
                          categorie: str = "communaute_agglomeration", *, lectures: Lectures = Lectures(),
                          parametres_: Parametres | None = None) -> VerificationAccord:
    """Check an accord local allocation (seats per commune) against art. L5211-6-1 I as in force at ``date``.

    Every violated rule is named (``regle``: ``categorie``, ``accord_local_non_prevu``, ``plafond_total``,
    ``un_siege_par_commune``, ``moitie_des_sieges``, ``en_fonction_population`` (only with ``lectures.monotonie``),
    ``ecart_proportionnalite``, ``reserve_2015_711_dc``) with its article at that date.
    """
    pops = valider_populations(populations)
    valider_categorie(categorie)
    d = date_effet(date)
    par = parametres_ or parametres()
    sieges = repartition.reindex(pops.index)
    if sieges.isna().any() or set(repartition.index) - set(pops.index):
        raise ValueError("répartition : mêmes communes que les populations attendues")
    s = [int(x) for x in sieges]
    p = [int(x) for x in pops]
    noms = list(pops.index)
    total = sum(s)
    dc = _droit_commun(pops, d, categorie, par)
    ecart = _ecart(d, par)
    violations: list[dict] = []

    def violer(regle: str, commune: Any = None, valeur: Any = None, limite: Any = None) -> None:
        violations.append({"regle": regle, "article": _article(regle, d, par), "commune": commune,
                           "valeur": valeur, "limite": limite})

    if categorie not in CATEGORIES_ACCORD_LOCAL:
        violer("categorie", valeur=categorie)
    if not par(P + "accord_local.autorise", d):
        violer("accord_local_non_prevu")
    maxi = total_maximum(dc, d, par)
    if total > maxi:
        violer("plafond_total", valeur=total, limite=maxi)
    for i, nom in enumerate(noms):
        if s[i] < 1:
            violer("un_siege_par_commune", nom, s[i], 1)
        if 2 * s[i] > total:
            violer("moitie_des_sieges", nom, s[i], total // 2)
    if lectures.monotonie:
        for j, nom in enumerate(noms):
            plus_peuplees = [s[i] for i in range(len(p)) if p[i] > p[j]]
            if plus_peuplees and s[j] > min(plus_peuplees):
                violer("en_fonction_population", nom, s[j], min(plus_peuplees))
    cadre = Cadre(tuple(p), tuple(int(x) for x in dc.communes["sieges_iii_iv"]),
                  tuple(int(x) for x in dc.communes["sieges_iv_1"]), ecart or Fraction(0), lectures)
    motifs = [cadre.motif(i, s[i], total) if ecart is not None and total > 0 else None for i in range(len(p))]
    if ecart is not None:
        for i, nom in enumerate(noms):
            if s[i] >= 1 and 2 * s[i] <= total and motifs[i] is None:
                violer("ecart_proportionnalite", nom, float(cadre.ratio(i, s[i], total)),
                       f"[{float(1 - ecart):g} ; {float(1 + ecart):g}]")
        base_ii = cadre.s1 if lectures.exception_ii == "iv_1" else cadre.dc
        for x in (i for i in range(len(p)) if motifs[i] == "exception_ii"):
            for y in range(len(p)):
                if y != x and p[y] >= p[x] and base_ii[y] == 1 and s[y] < 2:
                    violer("reserve_2015_711_dc", noms[y], s[y], 2)
    table = pd.DataFrame({
        "sieges": s, "population": p, "part_sieges": [x / total if total else float("nan") for x in s],
        "part_population": [x / sum(p) for x in p], "sieges_iii_iv": list(cadre.dc), "sieges_iv_1": list(cadre.s1),
    }, index=pops.index)
    table["ratio"] = table["part_sieges"] / table["part_population"]
    table["ratio_iii_iv"] = [float(cadre.ratio_droit_commun(i)) for i in range(len(p))]
    table["motif"] = motifs
    fautives = {v["commune"] for v in violations if v["commune"] is not None}
    table["conforme"] = [nom not in fautives for nom in noms]
    cols = ["regle", "article", "commune", "valeur", "limite"]
    return VerificationAccord(valide=not violations, violations=pd.DataFrame(violations, columns=cols),
                              communes=table, total=total, total_maximum=maxi, sieges_iii_iv=dc.sieges_iii_iv)


@dataclass(frozen=True)
class Repartitions:
    """Valid allocations: ``repartitions`` (one row per allocation, a column per commune and ``total``, ordered by
    total then decreasing seats of the most populous communes, at most ``limite`` rows), ``nombre_par_total`` (exact
    count for every total), ``nombre`` (all totals), ``tronque`` (the list stops at ``limite``)."""

    repartitions: pd.DataFrame
    nombre_par_total: pd.Series
    nombre: int
    tronque: bool
    sieges_iii_iv: int
    total_maximum: int


def _lister(pops: pd.Series, cadre: Cadre, totaux: range, bornes, monotone: bool, limite: int,
            sieges_iii_iv: int, maxi: int) -> Repartitions:
    ordre = ordre_population(cadre.pops)
    lignes: list[list[int]] = []
    comptes: dict[int, int] = {}
    for t in totaux:
        bas, haut = bornes(t)
        ens = cadre.ensembles(t, bas, haut)
        if any(not e for e in ens):
            comptes[t] = 0
            continue
        denombrement = Denombrement(ens, t, ordre, monotone)
        comptes[t] = denombrement.nombre
        if len(lignes) < limite:
            lignes.extend(v + [t] for v in denombrement.vecteurs(limite - len(lignes)))
    tableau = pd.DataFrame(lignes, columns=list(pops.index) + ["total"], dtype="int64")
    nombre = pd.Series(comptes, name="nombre", dtype=object).rename_axis("total")
    total = int(sum(comptes.values()))
    return Repartitions(tableau, nombre, total, total > len(lignes), sieges_iii_iv, maxi)


def accords_locaux_valides(populations: pd.Series, date: Any, limite: int = 1000,
                           categorie: str = "communaute_agglomeration", *, lectures: Lectures = Lectures(),
                           parametres_: Parametres | None = None) -> Repartitions:
    """All the accords locaux allowed at ``date`` (counted exactly, listed up to ``limite``), ordered by total seats.

    Raises ``ValueError`` when no accord local is possible (CU or métropole; 21 June 2014 – 10 March 2015).
    """
    pops = valider_populations(populations)
    valider_categorie(categorie)
    d = date_effet(date)
    par = parametres_ or parametres()
    if categorie not in CATEGORIES_ACCORD_LOCAL:
        raise ValueError(f"pas d'accord local en {categorie} : {_article('categorie', d, par)}")
    if not par(P + "accord_local.autorise", d):
        raise ValueError(f"pas d'accord local au {d.isoformat()} : {ARTICLE_QPC}")
    dc = _droit_commun(pops, d, categorie, par)
    ecart = _ecart(d, par)
    cadre = Cadre(tuple(int(x) for x in pops), tuple(int(x) for x in dc.communes["sieges_iii_iv"]),
                  tuple(int(x) for x in dc.communes["sieges_iv_1"]), ecart if ecart is not None else Fraction(10**6),
                  lectures)
    maxi = total_maximum(dc, d, par)
    n = len(pops)
    return _lister(pops, cadre, range(n, maxi + 1), lambda t: ([1] * n, [t // 2] * n), lectures.monotonie, limite,
                   dc.sieges_iii_iv, maxi)


def repartitions_vi_valides(populations: pd.Series, date: Any, categorie: str, limite: int = 1000, *,
                            lectures: Lectures = Lectures(), proportionnalite: bool | None = None,
                            parametres_: Parametres | None = None) -> Repartitions:
    """All the allocations of the VI extra seats (1 to the 10 % maximum) added to the III + IV seats.

    Each commune keeps at least its III + IV seats and at most its municipal councillors; CC and CA keep the half
    cap (VI: only CU and métropoles may exceed it). ``proportionnalite`` (default: from loi n° 2015-264 on) applies
    the 20 % test of I 2° e) to the result (see ``lecture_vi`` in :mod:`.conseil`).
    """
    pops = valider_populations(populations)
    d = date_effet(date)
    par = parametres_ or parametres()
    dc = sieges_droit_commun(pops, d, categorie, parametres_=par)
    if dc.v_applique:
        raise ValueError("le V s'applique : le VI est exclu (CGCT art. L5211-6-1 V, dernière phrase)")
    ecart = _ecart(d, par)
    teste = ecart is not None if proportionnalite is None else proportionnalite
    if teste and ecart is None:
        raise ValueError(f"pas de test de proportionnalité au {d.isoformat()} (loi n° 2015-264)")
    demi = categorie in CATEGORIES_ACCORD_LOCAL
    base = [int(x) for x in dc.communes["sieges_iii_iv"]]
    cons = [int(x) for x in dc.communes["conseillers_municipaux"]]
    cadre = Cadre(tuple(int(x) for x in pops), tuple(base), tuple(int(x) for x in dc.communes["sieges_iv_1"]),
                  ecart if teste else Fraction(10**6), lectures, demi_plafond=demi)
    n_iii_iv, k_max = dc.sieges_iii_iv, dc.sieges_vi_maximum

    def bornes(t: int) -> tuple[list[int], list[int]]:
        return base, [min(b + t - n_iii_iv, c) for b, c in zip(base, cons)]

    return _lister(pops, cadre, range(n_iii_iv + 1, n_iii_iv + k_max + 1), bornes, lectures.monotonie, limite,
                   n_iii_iv, n_iii_iv + k_max)
