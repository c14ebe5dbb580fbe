"""Sensitivity of a scenario to its main assumptions: tornado data and Monte-Carlo bands.

Both reuse the vectorised core of :mod:`.noyau` (arrays of shape (draws, 23 entities, years)) — no notebook is
re-run, nothing loops over entities. The assumptions perturbed (``schema.HYPOTHESES_SENSIBILITE``):

- the yearly growth of each receipt/expense family (``fiscalite``, ``dgf``, ``autres_recettes``, ``personnel``,
  ``autres_charges``): an absolute shift in points, applied every year to the communes and the agglomeration;
- ``taux_interet``: absolute shift of the rate of new loans;
- ``investissement``: relative shift of the equipment programme of every entity.

The effects of the actions (AC, imputations, DSC) are fixed amounts computed on the central assumptions, as they
are fixed by deliberation; the costs that move with a competence follow the drawn growth.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from orleans_gov.base import vocabulaire
from orleans_gov.base.territoire import ENTITES
from orleans_gov.scenarios.actions import Effets, effets_actions
from orleans_gov.scenarios.donnees import DonneesReference
from orleans_gov.scenarios.etat import IDX, etat_reference
from orleans_gov.scenarios.noyau import BLOC, bloc, noyau
from orleans_gov.scenarios.schema import HYPOTHESES_SENSIBILITE, Scenario

LIBELLES_HYPOTHESES = {k: vocabulaire.libelle(f"hypothese_{k}") for k in HYPOTHESES_SENSIBILITE}
"""Label of each assumption perturbed (vocabulary term ``hypothese_<nom>``)."""
RELATIVES = ("investissement",)
TAILLE_LOT = 500
"""Draws projected together by the Monte-Carlo (arrays (500, 23, years) stay in the processor's cache: 25 % faster
than 2 500 on the 2-core machine, issue 16). Every operation of the core is per draw, so the numbers do not depend
on it (checked bit for bit in the tests)."""

MESURES = {
    "epargne_nette_cumulee": ("epargne_nette", "cumul"),
    "epargne_brute_cumulee": ("epargne_brute", "cumul"),
    "emprunts_cumules": ("emprunt", "cumul"),
    "encours_fin": ("encours_dette", "fin"),
    "capacite_desendettement_fin": ("capacite_desendettement", "fin"),
}


def _preparer(scenario: Scenario, donnees: DonneesReference):
    base = etat_reference(donnees, scenario)
    eff = effets_actions(scenario, donnees, base)
    return base, eff


def _mesure(scenario: Scenario, sorties: dict, mesure: str, entite: str) -> np.ndarray:
    """One number per draw: the measure over the horizon for an entity or the bloc."""
    indicateur, agregat = MESURES[mesure]
    annees = [scenario.annee_reference] + scenario.annees
    sel = [annees.index(a) for a in range(scenario.debut, scenario.fin + 1)]
    if entite == BLOC:
        b = bloc({k: sorties[k] for k in ("epargne_brute", "encours_dette", "recettes_reelles_fonctionnement",
                                          indicateur) if k in sorties})
        serie = b[indicateur]
    else:
        serie = sorties[indicateur][:, IDX[entite], :]
    if agregat == "cumul":
        return serie[:, sel].sum(axis=1)
    return serie[:, -1]


def _sorties_mesure(mesure: str) -> tuple[str, ...]:
    ind = MESURES[mesure][0]
    return tuple(dict.fromkeys((ind, "epargne_brute", "encours_dette", "recettes_reelles_fonctionnement")))


def tornado(scenario: Scenario, donnees: DonneesReference, mesure: str = "epargne_nette_cumulee",
            entite: str = BLOC, variations: dict[str, float] | None = None, _prepare: tuple | None = None
            ) -> pd.DataFrame:
    """Tornado chart data: each assumption moved down and up by its variation (scenario file
    ``hypotheses.sensibilite.tornado``: points for growth rates and the interest rate, share for investment),
    the others central; effect on ``mesure`` (see :data:`MESURES`) for ``entite`` (INSEE code, SIREN or
    ``"bloc"``). One vectorised run (2 draws per assumption + the central one). Sorted by amplitude.
    ``_prepare``: the (reference state, effects) of the scenario when already computed (:func:`prepare_de`).
    """
    if mesure not in MESURES:
        raise ValueError(f"mesure inconnue {mesure!r} (admises : {', '.join(MESURES)})")
    variations = dict(variations or scenario.hypotheses.sensibilite.tornado)
    base, eff = _prepare or _preparer(scenario, donnees)
    noms = list(HYPOTHESES_SENSIBILITE)
    D = 1 + 2 * len(noms)
    chocs = {k: np.zeros(D) for k in noms}
    for j, k in enumerate(noms):
        chocs[k][1 + 2 * j] = -variations[k]
        chocs[k][2 + 2 * j] = variations[k]
    sorties = noyau(scenario, base, eff, chocs, sorties=_sorties_mesure(mesure))
    m = _mesure(scenario, sorties, mesure, entite)
    lignes = []
    for j, k in enumerate(noms):
        lignes.append({"hypothese": k, "libelle": LIBELLES_HYPOTHESES[k], "variation": variations[k],
                       "unite_variation": "relative" if k in RELATIVES else "points",
                       "resultat_central": m[0], "resultat_bas": m[1 + 2 * j], "resultat_haut": m[2 + 2 * j]})
    df = pd.DataFrame(lignes)
    df["amplitude"] = (df["resultat_haut"] - df["resultat_bas"]).abs()
    return df.sort_values("amplitude", ascending=False, kind="stable").reset_index(drop=True)


@dataclass
class MonteCarlo:
    quantiles: pd.DataFrame        # entite, annee, q05, q50, q95
    mesure: np.ndarray             # one value per draw of the summary measure (bloc)
    n_tirages: int
    graine: int


def tirer_chocs(scenario: Scenario, n: int, graine: int) -> dict[str, np.ndarray]:
    """Independent normal draws of each assumption's shift (standard deviations from the scenario file
    ``hypotheses.sensibilite.ecarts_types``); the shift is drawn once per simulation and held over the horizon
    (a lasting error of assumption, the prudent reading). Fixed seed → identical bands."""
    rng = np.random.default_rng(graine)
    et = scenario.hypotheses.sensibilite.ecarts_types
    return {k: rng.normal(0.0, et[k], size=n) for k in HYPOTHESES_SENSIBILITE}


def monte_carlo(scenario: Scenario, donnees: DonneesReference, indicateur: str = "epargne_nette",
                n_tirages: int = 10_000, graine: int = 2014, mesure: str = "epargne_nette_cumulee",
                taille_lot: int = TAILLE_LOT, _prepare: tuple | None = None) -> MonteCarlo:
    """Monte-Carlo bands: ``n_tirages`` draws of the assumptions, the whole projection of the 23 entities and the
    bloc vectorised over the draws (by batches of ``taille_lot``, :data:`TAILLE_LOT`). Returns the 5 %, 50 % and 95 %
    quantiles of ``indicateur`` per entity (and ``"bloc"``) and year, plus the draws of the bloc's ``mesure``.
    One indicator of :func:`monte_carlo_indicateurs` (same draws, same numbers)."""
    return monte_carlo_indicateurs(scenario, donnees, (indicateur,), n_tirages=n_tirages, graine=graine,
                                   mesure=mesure, taille_lot=taille_lot, _prepare=_prepare)[indicateur]


def monte_carlo_indicateurs(scenario: Scenario, donnees: DonneesReference, indicateurs: tuple[str, ...],
                            n_tirages: int = 10_000, graine: int = 2014, mesure: str = "epargne_nette_cumulee",
                            taille_lot: int = TAILLE_LOT, _prepare: tuple | None = None) -> dict[str, MonteCarlo]:
    """Monte-Carlo bands of several indicators from ONE pass over the same draws (the projection is the costly
    part; each extra indicator only adds its quantiles). ``{indicateur: MonteCarlo}``, each identical to
    ``monte_carlo(..., indicateur=...)`` with the same seed (same draws, same batches)."""
    indicateurs = tuple(dict.fromkeys(indicateurs))
    q, tirages_mesure = quantiles_tirages(scenario, donnees, indicateurs, n_tirages=n_tirages, graine=graine,
                                          mesure=mesure, taille_lot=taille_lot, _prepare=_prepare)
    return assembler(scenario, q, tirages_mesure, n_tirages, graine)


def quantiles_tirages(scenario: Scenario, donnees: DonneesReference, indicateurs: tuple[str, ...],
                      n_tirages: int = 10_000, graine: int = 2014, mesure: str = "epargne_nette_cumulee",
                      taille_lot: int = TAILLE_LOT, _prepare: tuple | None = None
                      ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The raw numbers of :func:`monte_carlo_indicateurs`: ``{indicateur: quantiles 5/50/95 %, array (3, 24
    entities with the bloc last, years R … fin)}`` and the draws of the bloc's ``mesure`` (n_tirages,) — what a
    cache keeps (:func:`assembler` rebuilds the same :class:`MonteCarlo` from them)."""
    indicateurs = tuple(dict.fromkeys(indicateurs))
    base, eff = _prepare or _preparer(scenario, donnees)
    chocs = tirer_chocs(scenario, n_tirages, graine)
    blocs: dict[str, list] = {i: [] for i in indicateurs}
    mesures = []
    noms_sorties = tuple(dict.fromkeys(indicateurs + _sorties_mesure(mesure)))
    for debut in range(0, n_tirages, taille_lot):
        lot = {k: v[debut:debut + taille_lot] for k, v in chocs.items()}
        s = noyau(scenario, base, eff, lot, sorties=noms_sorties)
        b = bloc(s)
        for indicateur in indicateurs:
            ent = s[indicateur]
            if indicateur in b:
                ent = np.concatenate([ent, b[indicateur][:, None, :]], axis=1)
            else:
                ent = np.concatenate([ent, np.full((ent.shape[0], 1, ent.shape[2]), np.nan)], axis=1)
            blocs[indicateur].append(ent)
        mesures.append(_mesure(scenario, s, mesure, BLOC))
    res = {}
    for indicateur in indicateurs:
        # (24, T, D): the draws of each entity and year contiguous (the quantiles are order statistics of each
        # entity-year, whatever the layout: same numbers as along axis 0 of (D, 24, T), faster to partition)
        tout = np.concatenate([np.moveaxis(x, 0, -1) for x in blocs[indicateur]], axis=-1)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)   # all-NaN slices: capacity not computable
            res[indicateur] = np.nanquantile(tout, [0.05, 0.5, 0.95], axis=-1) if np.isnan(tout).any() else \
                np.quantile(tout, [0.05, 0.5, 0.95], axis=-1)           # (3, 24, T)
    return res, np.concatenate(mesures)


def assembler(scenario: Scenario, quantiles: dict[str, np.ndarray], tirages_mesure: np.ndarray, n_tirages: int,
              graine: int) -> dict[str, MonteCarlo]:
    """``{indicateur: MonteCarlo}`` from the raw numbers of :func:`quantiles_tirages` (long quantile table: entite,
    annee, indicateur, q05, q50, q95)."""
    annees = [scenario.annee_reference] + scenario.annees
    entites = list(ENTITES) + [BLOC]
    res = {}
    for indicateur, q in quantiles.items():
        df = pd.DataFrame({
            "entite": np.repeat(entites, len(annees)), "annee": np.tile(annees, len(entites)),
            "indicateur": indicateur,
            "q05": q[0].reshape(-1), "q50": q[1].reshape(-1), "q95": q[2].reshape(-1)})
        res[indicateur] = MonteCarlo(quantiles=df, mesure=tirages_mesure.copy(), n_tirages=n_tirages,
                                     graine=graine)
    return res


def preparer(scenario: Scenario, donnees: DonneesReference) -> tuple:
    """Reference state and effects of a scenario, to reuse across several Monte-Carlo runs (benchmark)."""
    return _preparer(scenario, donnees)


def prepare_de(resultat) -> tuple:
    """The (reference state, effects) a :class:`~orleans_gov.scenarios.resultats.Resultat` was projected from —
    exactly what :func:`preparer` recomputes (:func:`~orleans_gov.scenarios.resultats.projeter` calls the same
    ``etat_reference`` and ``effets_actions``), to pass as ``_prepare`` instead of computing it again."""
    return resultat.base, resultat.effets


__all__ = ["tornado", "monte_carlo", "monte_carlo_indicateurs", "MonteCarlo", "tirer_chocs", "preparer", "prepare_de", "quantiles_tirages",
           "assembler", "TAILLE_LOT", "MESURES", "LIBELLES_HYPOTHESES",
           "Effets"]
