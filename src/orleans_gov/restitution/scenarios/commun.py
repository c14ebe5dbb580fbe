"""What the scenario tables, charts and sentences share: entity names (the bloc included), the source line, the
reading of the engine's long results."""
from __future__ import annotations


import numpy as np
import pandas as pd

from orleans_gov.base.territoire import nom_entite
from orleans_gov.scenarios import BLOC

SOURCE = ("DGFiP (comptes individuels), flux AC/DSC, dépenses par fonction, classeurs de collecte ; "
          "projection orleans_gov")


def nom(entite: str) -> str:
    """French name of an entity of the projection (« Bloc communal » for the bloc)."""
    return "Bloc communal" if entite == BLOC else nom_entite(entite)


def millesime(sc) -> str:
    """Data vintage of a scenario for the source lines (« comptes 2013, projection 2014–2020 »)."""
    return f"comptes {sc.annee_reference}, projection {sc.debut}–{sc.fin}"


def serie(res, entite: str | list[str], ind: str) -> pd.Series:
    """One indicator of one entity (or the sum of several) by year."""
    L = res.long
    if isinstance(entite, list):
        return L[L.entite.isin(entite) & (L.indicateur == ind)].groupby("annee")["valeur"].sum()
    return L[(L.entite == entite) & (L.indicateur == ind)].set_index("annee")["valeur"]


def valeur(res, ent: str, ind: str, annee: int | None = None) -> float:
    """One indicator of one entity in one year (default: the end of the horizon); NaN when absent."""
    L = res.long
    a = annee or res.scenario.fin
    s = L[(L.entite == ent) & (L.indicateur == ind) & (L.annee == a)]["valeur"]
    return float(s.iloc[0]) if len(s) else np.nan


def cumul(res, ent: str, ind: str) -> float:
    """Sum of one indicator of one entity over the horizon."""
    sc = res.scenario
    L = res.long
    return float(L[(L.entite == ent) & (L.indicateur == ind) & L.annee.between(sc.debut, sc.fin)]["valeur"].sum())



class Lecture:
    """Reads of one value column of a long table (``entite``, ``indicateur``, ``annee``: the engine's results or
    :func:`orleans_gov.scenarios.comparer`) without filtering the frame again for each number (issue 16: a boolean
    filter costs ≈ 0,5 ms whatever the size, and the tables of one scenario make a thousand of them).

    Same numbers as the filters they replace: :meth:`un` is ``df[(entite == e) & (indicateur == i) & (annee ==
    a)][col].iloc[0]`` (NaN when absent); :meth:`somme` is ``float(df[entite ∈ E & indicateur == i & annee ∈
    A][col].sum())`` — the same values, in the order of the frame's rows, NaN counted as 0, absent rows left out
    (0.0 when none).
    """

    def __init__(self, df: pd.DataFrame, colonne: str):
        self._pos, codes = {}, []
        for axe, c in (("e", "entite"), ("i", "indicateur"), ("a", "annee")):
            code, uniques = pd.factorize(df[c], sort=False)        # first-appearance order
            self._pos[axe] = {k: j for j, k in enumerate(uniques.tolist())}
            codes.append(code.astype("int64"))
        ie, ii, ia = codes
        forme = tuple(len(self._pos[a]) for a in "eia")
        if len(df) and (min(x.min() for x in codes) < 0 or
                        len(np.unique(np.ravel_multi_index((ie, ii, ia), forme))) != len(df)):
            raise ValueError("table longue avec une clé manquante ou plusieurs lignes pour une même entité, un même "
                             "indicateur et une même année")
        self._v = np.full(forme, np.nan)
        self._present = np.zeros(forme, dtype=bool)
        self._rang = np.full(forme, -1, dtype="int64")
        self._v[ie, ii, ia] = df[colonne].to_numpy(dtype="float64")
        self._present[ie, ii, ia] = True
        self._rang[ie, ii, ia] = np.arange(len(df))
        self._colonne = colonne
        self._entites = list(self._pos["e"])

    def un(self, entite: str, indicateur: str, annee: int) -> float:
        """The value of one entity, indicator and year (NaN when absent)."""
        try:
            return float(self._v[self._pos["e"][entite], self._pos["i"][indicateur], self._pos["a"][annee]])
        except KeyError:
            return np.nan

    def serie(self, indicateur: str, annee: int) -> pd.Series:
        """``df[(indicateur == i) & (annee == a)].set_index("entite")[col]``: the entities that have a row, in the
        rows' order (empty when none)."""
        if indicateur not in self._pos["i"] or annee not in self._pos["a"]:
            return pd.Series([], dtype="float64", index=pd.Index([], name="entite"), name=self._colonne)
        ii, ia = self._pos["i"][indicateur], self._pos["a"][annee]
        pres = self._present[:, ii, ia]
        ie = np.flatnonzero(pres)
        ie = ie[np.argsort(self._rang[ie, ii, ia], kind="stable")]
        return pd.Series(self._v[ie, ii, ia], index=pd.Index([self._entites[j] for j in ie], name="entite"),
                         name=self._colonne)

    def somme(self, entites: str | list[str], indicateur: str, annees) -> float:
        """Sum over entities and years of one indicator, in the rows' order (see the class docstring)."""
        ents = [entites] if isinstance(entites, str) else entites
        if indicateur not in self._pos["i"]:
            return 0.0
        ie = [self._pos["e"][e] for e in dict.fromkeys(ents) if e in self._pos["e"]]
        ia = [self._pos["a"][a] for a in dict.fromkeys(annees) if a in self._pos["a"]]
        ii = self._pos["i"][indicateur]
        sel = np.ix_(ie, [ii], ia)
        pres = self._present[sel].reshape(-1)
        rang = self._rang[sel].reshape(-1)[pres]
        v = self._v[sel].reshape(-1)[pres][np.argsort(rang, kind="stable")]
        return float(pd.Series(v, dtype="float64").sum())


_LECTURES: dict[tuple[int, str], tuple[pd.DataFrame, Lecture]] = {}
MAX_LECTURES = 64


def lecture(df: pd.DataFrame, colonne: str) -> Lecture:
    """The :class:`Lecture` of a long table, built once per frame (the same results are read by several tables,
    sentences and pages; at most :data:`MAX_LECTURES` are kept, the oldest dropped). The frames of the engine's
    results are not modified after the projection; a frame modified in place must be read with ``Lecture(...)``."""
    cle = (id(df), colonne)
    deja = _LECTURES.get(cle)
    if deja is None or deja[0] is not df:
        while len(_LECTURES) >= MAX_LECTURES:
            del _LECTURES[next(iter(_LECTURES))]
        deja = _LECTURES[cle] = (df, Lecture(df, colonne))
    return deja[1]
