"""Shared rules of the pacte financier et fiscal (issue 12, §2): the allocation criteria « as the law computes them »,
the controls table and the votes, used by :mod:`.attributions`, :mod:`.dsc` and :mod:`.fpic`.

Criteria (:func:`part_critere`): each criterion turns one value per commune into a weight, then a share (weight /
Σ weights). Natures (:data:`NATURES`, from the name by default; ``natures`` overrides):

- ``"population"`` — weight = population (art. 1609 nonies C VI CGI « l'importance de la population »).
- ``"insuffisance"`` — weight = population × x̄ / x_c with x_c the commune's value per inhabitant and x̄ = Σ pop·x /
  Σ pop the mean per inhabitant of the communes of the EPCI: « l'insuffisance de potentiel fiscal ou financier par
  habitant de la commune au regard du potentiel fiscal ou financier communal moyen par habitant » (1609 nonies C VI,
  CU) and « l'écart du revenu par habitant de la commune au revenu moyen par habitant » (same, a.), read as the ratio
  mean / commune (research exemples.md C; FPIC reversement, art. L2336-5 II: « inversement proportionnelle au
  potentiel financier par habitant de chaque commune multiplié par son nombre d'habitants », nossenateurs 833275).
  Names: ``insuffisance_potentiel_financier``, ``insuffisance_potentiel_fiscal``, ``ecart_revenu``.
- ``"richesse"`` — weight = population × x_c (= the commune's total potential or income): the FPIC prélèvement of
  droit commun (art. L2336-3 II: « en fonction du potentiel financier par habitant de ces communes » and of their
  population; research exemples.md B). Names: ``potentiel_financier``, ``potentiel_fiscal``, ``revenu``.
- ``"libre"`` — weight = the value itself (a quantity ≥ 0: charges de centralité in k€, an index already multiplied
  by population…): the « autres critères […] fixés librement par le conseil » (1609 nonies C VI). Any other name.

Amounts are in the unit of the inputs (k€ in the package); no rounding. Controls are rows ``regle``, ``satisfaite``
(``True``/``False``, or ``None`` when the input needed to check it is missing), ``valeur``, ``limite``, ``reference``.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from orleans_gov.base.parametres import Parametres, date_effet
from orleans_gov.scenarios.gouvernance.majorites import Resultat, majorite_qualifiee

NATURES = ("population", "insuffisance", "richesse", "libre")
NATURE_PAR_NOM: Mapping[str, str] = {
    "population": "population",
    "insuffisance_potentiel_financier": "insuffisance", "insuffisance_potentiel_fiscal": "insuffisance",
    "ecart_revenu": "insuffisance",
    "potentiel_financier": "richesse", "potentiel_fiscal": "richesse", "revenu": "richesse",
}
POTENTIEL = ("insuffisance_potentiel_financier", "insuffisance_potentiel_fiscal", "potentiel_financier",
             "potentiel_fiscal")
REVENU = ("ecart_revenu", "revenu")
TOLERANCE = 1e-9
COLONNES_CONTROLES = ["regle", "satisfaite", "valeur", "limite", "reference"]


def serie(nom: str, valeurs: Any, index: pd.Index | None = None, *, strictement_positive: bool = False,
          signe_libre: bool = False) -> pd.Series:
    """``valeurs`` as a float Series with a unique index (reindexed on ``index`` when given); missing values, and
    negative ones unless ``signe_libre`` (zero too when ``strictement_positive``), raise ``ValueError`` naming
    ``nom``."""
    s = pd.Series(valeurs, dtype="float64") if not isinstance(valeurs, pd.Series) else valeurs.astype("float64")
    if not s.index.is_unique:
        raise ValueError(f"{nom} : une commune apparaît deux fois")
    if index is not None:
        inconnues = set(s.index) - set(index)
        if inconnues:
            raise ValueError(f"{nom} : communes inconnues {sorted(map(str, inconnues))}")
        s = s.reindex(index)
    manquantes = list(s.index[s.isna()])
    if manquantes:
        raise ValueError(f"{nom} : valeur manquante pour {sorted(map(str, manquantes))}")
    if signe_libre:
        return s
    mauvaises = list(s.index[(s <= 0) if strictement_positive else (s < 0)])
    if mauvaises:
        raise ValueError(f"{nom} : valeur {'non strictement positive' if strictement_positive else 'négative'} "
                         f"pour {sorted(map(str, mauvaises))}")
    return s


def nature(nom: str, natures: Mapping[str, str] | None = None) -> str:
    """The nature of criterion ``nom`` (``natures`` overrides the default of :data:`NATURE_PAR_NOM`)."""
    n = (natures or {}).get(nom, NATURE_PAR_NOM.get(nom, "libre"))
    if n not in NATURES:
        raise ValueError(f"critère « {nom} » : nature inconnue « {n} » (attendu : {', '.join(NATURES)})")
    return n


def moyenne_par_habitant(valeurs_par_habitant: pd.Series, populations: pd.Series) -> float:
    """x̄ = Σ pop_c × x_c / Σ pop_c: the mean per inhabitant of the ensemble (total over total, not the mean of the
    communes' ratios)."""
    return float((populations * valeurs_par_habitant).sum() / populations.sum())


def part_critere(nom: str, valeurs: pd.Series | None, populations: pd.Series, *,
                 natures: Mapping[str, str] | None = None) -> pd.Series:
    """The share of each commune under criterion ``nom`` (sum 1), as described in the module docstring."""
    pops = serie("populations", populations, strictement_positive=True)
    n = nature(nom, natures)
    if n == "population":
        poids = pops
    else:
        if valeurs is None:
            raise ValueError(f"critère « {nom} » : valeurs par commune requises")
        x = serie(f"critère « {nom} »", valeurs, pops.index, strictement_positive=(n == "insuffisance"))
        if n == "insuffisance":
            poids = pops * moyenne_par_habitant(x, pops) / x
        elif n == "richesse":
            poids = pops * x
        else:
            poids = x
    total = float(poids.sum())
    if total <= 0:
        raise ValueError(f"critère « {nom} » : total nul")
    return (poids / total).rename(nom)


def parts_ponderees(criteres: Mapping[str, pd.Series | None], poids: Mapping[str, float], populations: pd.Series,
                    *, natures: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One column per criterion (its shares) and ``part`` = Σ_k poids_k × share_k. ``poids``: weights ≥ 0 summing
    to 1, one per criterion of ``criteres`` (``None`` values are allowed for ``population``)."""
    if set(poids) != set(criteres):
        raise ValueError(f"poids et critères ne correspondent pas : critères {sorted(criteres)}, poids {sorted(poids)}")
    if not criteres:
        raise ValueError("au moins un critère de répartition est requis")
    if any(w < 0 for w in poids.values()) or abs(sum(poids.values()) - 1) > 1e-9:
        raise ValueError(f"poids des critères : valeurs positives de somme 1 attendues ({dict(poids)})")
    t = pd.DataFrame({k: part_critere(k, v, populations, natures=natures) for k, v in criteres.items()})
    t["part"] = sum(poids[k] * t[k] for k in criteres)
    return t


def poids_par_nature(poids: Mapping[str, float], noms: tuple[str, ...]) -> float:
    """Cumulated weight of the criteria named in ``noms``."""
    return float(sum(w for k, w in poids.items() if k in noms))


def valeur_parametre(par: Parametres, nom: str, date: Any) -> float | None:
    """The value of parameter ``nom`` at ``date``, ``None`` when the rule does not exist (``null``) or not yet."""
    try:
        return par(nom, date)
    except KeyError:
        return None


def reference_parametre(par: Parametres, nom: str, date: Any) -> str:
    """The legal reference of the version of ``nom`` in force at ``date``, also when its value is ``null``."""
    d = date_effet(date)
    versions = [v for v in par.parametre(nom).valeurs if v.debut <= d]
    return versions[-1].reference if versions else par.parametre(nom).reference


def controle(regle: str, satisfaite: bool | None, reference: str, valeur: Any = None, limite: Any = None) -> dict:
    """One row of a controls table."""
    return {"regle": regle, "satisfaite": satisfaite, "valeur": valeur, "limite": limite, "reference": reference}


def tableau_controles(lignes: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(lignes, columns=COLONNES_CONTROLES)


def violations(controles: pd.DataFrame) -> list[str]:
    """The rules of a controls table that are not met (``satisfaite is False``)."""
    return [r for r, s in zip(controles["regle"], controles["satisfaite"]) if s is False]


def proche(a: float, b: float, echelle: float = 1.0) -> bool:
    """Equality up to rounding (relative to ``echelle``)."""
    return bool(np.isclose(a, b, rtol=0, atol=TOLERANCE * max(1.0, abs(echelle))))


def vote(regle: str, votes: Mapping[Any, Any], populations: pd.Series, date: Any, *,
         sieges: pd.Series | None = None, base: str = "sieges", silence_vaut_accord: bool = False) -> Resultat:
    """:func:`.majorites.majorite_qualifiee`, with ``silence_vaut_accord`` turning the communes without a
    deliberation (``None``/absent) into favourable votes when the text says so (e.g. FPIC free allocation)."""
    if silence_vaut_accord:
        votes = {**{c: True for c in populations.index}, **{c: v for c, v in votes.items() if v is not None}}
    return majorite_qualifiee(votes, populations, date, regle, sieges=sieges, base=base)


def votes_explicites(votes: Mapping[Any, Any], index: pd.Index) -> dict:
    """Each commune of ``index`` → ``True`` only if its council voted for (``None``/absent = no agreement)."""
    inconnues = set(votes) - set(index)
    if inconnues:
        raise ValueError(f"votes : communes inconnues {sorted(map(str, inconnues))}")
    return {c: bool(votes.get(c)) for c in index}


def majorite_simple(votes: Mapping[Any, Any], sieges: pd.Series) -> tuple[bool, int, int]:
    """« statuant à la majorité simple » of the council: favourable seats > half of the seats of the delegations
    that voted (a vote: ``True``/``False`` for the whole delegation, or the number of favourable seats; ``None``/
    absent = did not vote). Returns (adopted, favourable seats, seats voting)."""
    s = serie("sièges", sieges)
    inconnues = set(votes) - set(s.index)
    if inconnues:
        raise ValueError(f"votes : communes inconnues {sorted(map(str, inconnues))}")
    pour = votants = 0
    for c, v in votes.items():
        if v is None:
            continue
        n = int(s[c])
        votants += n
        pour += min(n, n * v if isinstance(v, bool) else int(v))
    return (votants > 0 and 2 * pour > votants), pour, votants
