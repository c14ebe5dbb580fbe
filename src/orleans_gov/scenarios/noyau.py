"""Vectorised core of the multi-year projection of the bloc communal (22 communes + the agglomeration).

:func:`noyau` works on arrays of shape ``(tirages, entités, années)`` so the same code gives the deterministic
projection (one draw), the tornado (a few perturbed draws) and the Monte-Carlo bands (10 000 draws). Amounts in
k€. Method (documented in French in ``config/scenarios/README.md``; reference year: :mod:`.etat`):

Each year t: family(t) = family(R) × Π(1 + growth of the family) (+ the effects of the actions); AC and DSC follow
the scenario (AC not indexed); épargne de gestion = RRF − DRF hors intérêts; intérêts = taux apparent de la dette
existante (fin / dette of year R) × encours existant au 1er janvier + taux des emprunts nouveaux × encours nouveau
au 1er janvier; épargne brute = épargne de gestion − intérêts; taux d'épargne brute = épargne brute / RRF × 100
(%); remboursement = min(encours existant, remboursement de l'année R) (profil d'amortissement constant de la dette
existante) + Σ emprunts nouveaux / durée (amortissement linéaire à partir de l'année suivant l'emprunt); épargne
nette = épargne brute − remboursement; emprunt = max(0, équipement − épargne nette − recettes d'investissement −
prélèvement sur fonds de roulement) (the model balances on borrowing; a surplus increases the fonds de roulement);
encours(t) = encours(t−1) + emprunt − remboursement; capacité de désendettement = encours / épargne brute (NaN when
épargne brute ≤ 0). The agglomeration's DGF = dotation de compensation (growing like the DGF) + dotation
d'intercommunalité on the CIF of t − décalage (:mod:`.dotations`, legal parameters of each year).
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from orleans_gov.scenarios.actions import Effets
from orleans_gov.scenarios.dotations import (CIF_MOYEN, DECALAGE, PART_DSC, VALEUR_POINT, cif, cif_decale,
                                             dotation_intercommunalite, valeurs_annuelles)
from orleans_gov.scenarios.etat import E, IA, Base
from orleans_gov.scenarios.schema import FAMILLES, NIVEAUX, Scenario

BLOC = "bloc"

INDICATEURS: tuple[str, ...] = (
    "recettes_reelles_fonctionnement", "fiscalite", "dgf", "dotation_intercommunalite", "attribution_compensation",
    "dsc", "autres_recettes", "personnel", "autres_charges", "depenses_reelles_fonctionnement_hors_interets",
    "interets", "depenses_reelles_fonctionnement", "epargne_gestion", "epargne_brute", "taux_epargne_brute",
    "remboursement_dette", "epargne_nette", "depenses_equipement", "recettes_investissement",
    "prelevement_fonds_roulement", "emprunt", "variation_fonds_roulement", "encours_dette",
    "capacite_desendettement", "cif", "etp",
)
"""The indicators of the projection, in the order of the results (labels, units: :mod:`orleans_gov.base.vocabulaire`)."""

RATIOS = ("taux_epargne_brute", "capacite_desendettement", "cif")
ADDITIFS = [k for k in INDICATEURS if k not in RATIOS]
SEULS_AGGLO = ("cif", "dotation_intercommunalite")


def noyau(scenario: Scenario, base: Base, eff: Effets, chocs: Mapping[str, np.ndarray] | None = None,
          sorties: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
    """Project every entity; returns indicator -> array (D, 23, T) (T = R … fin; index 0 = reference year).

    ``chocs``: draws of the assumptions, each an array (D,): an absolute shift of the yearly growth of each
    family (both levels), of the new-loan interest rate (``taux_interet``), and a relative shift of the
    equipment programme (``investissement``). Missing keys = no shock.
    """
    h = scenario.hypotheses
    annees = scenario.annees
    T = len(annees) + 1
    chocs = dict(chocs or {})
    D = max([1] + [len(v) for v in chocs.values()])
    z = np.zeros(D)
    ch = {k: np.asarray(chocs.get(k, z), dtype="float64") for k in FAMILLES + ("taux_interet", "investissement")}

    def indice(niv: str, f: str) -> np.ndarray:  # (D, T)
        g = np.array([0.0] + [h.croissance[niv][f][a] for a in annees])
        fac = 1.0 + g[None, :] + ch[f][:, None]
        fac[:, 0] = 1.0
        return np.cumprod(fac, axis=1)

    I = {(niv, f): indice(niv, f) for niv in NIVEAUX for f in FAMILLES}

    def famille(f: str, v0: np.ndarray) -> np.ndarray:  # (D, E, T)
        ic, ia = I[("communes", f)], I[("agglomeration", f)]
        out = np.empty((D, E, T))
        out[:, :IA, :] = v0[None, :IA, None] * ic[:, None, :]
        out[:, IA, :] = v0[IA] * ia
        if eff.dc[f].any():
            out += eff.dc[f][None] * ic[:, None, :]
        if eff.da[f].any():
            out += eff.da[f][None] * ia[:, None, :]
        return out

    p = valeurs_annuelles(scenario.parametres_legaux(), [scenario.annee_reference] + annees)
    p.update(eff.parametres)  # per-year overrides set by an action (change of category)
    fisc = famille("fiscalite", base.fiscalite) * eff.m_fisc[None]
    dgf0 = base.dgf.copy()
    dgf0[IA] = base.dotation_compensation
    dgf = famille("dgf", dgf0)
    ac = np.broadcast_to(eff.ac[None], (D, E, T))
    dsc = np.broadcast_to(eff.dsc[None], (D, E, T))
    c = cif(fisc[:, IA, :], fisc[:, :IA, :].sum(axis=1), -ac[:, IA, :], -dsc[:, IA, :], p[PART_DSC])  # (D, T)
    c[:, 0] = base.cif
    dotation = dotation_intercommunalite(base.population[IA], p[VALEUR_POINT], cif_decale(c, p[DECALAGE]),
                                         p[CIF_MOYEN]) * I[("agglomeration", "dgf")]
    dgf[:, IA, :] += dotation
    autres_rec = famille("autres_recettes", base.autres_recettes) + eff.abs_recettes[None]
    rrf = fisc + dgf + autres_rec + ac + dsc
    perso = famille("personnel", base.personnel)
    autres_ch = famille("autres_charges", base.autres_charges) + eff.abs_charges[None]
    drf_hi = perso + autres_ch
    equip = eff.equipement[None] * (1.0 + ch["investissement"])[:, None, None]
    recinv = equip * base.taux_recettes_inv[None, :, None]
    prelev = np.broadcast_to(eff.prelevement[None], (D, E, T))

    L = h.emprunts.duree_annees
    taux_new = h.emprunts.taux_interet + ch["taux_interet"]  # (D,)
    with np.errstate(divide="ignore", invalid="ignore"):
        taux_ex = np.where(base.dette > 0, base.interets / base.dette, 0.0)
    interets = np.empty((D, E, T))
    remb = np.empty((D, E, T))
    emprunt = np.empty((D, E, T))
    encours = np.empty((D, E, T))
    interets[:, :, 0] = base.interets
    remb[:, :, 0] = base.remboursement
    emprunt[:, :, 0] = np.nan
    encours[:, :, 0] = base.dette
    s_ex = np.broadcast_to(base.dette, (D, E)).copy()
    s_new = np.zeros((D, E))
    for t in range(1, T):
        rem_ex = np.minimum(s_ex, base.remboursement[None, :])
        rem_new = emprunt[:, :, max(1, t - L):t].sum(axis=2) / L
        interets[:, :, t] = taux_ex[None, :] * s_ex + taux_new[:, None] * s_new
        eb = rrf[:, :, t] - drf_hi[:, :, t] - interets[:, :, t]
        remb[:, :, t] = rem_ex + rem_new
        besoin = equip[:, :, t] - recinv[:, :, t] - (eb - remb[:, :, t]) - prelev[:, :, t]
        emprunt[:, :, t] = np.maximum(0.0, besoin)
        s_ex = s_ex - rem_ex
        s_new = s_new + emprunt[:, :, t] - rem_new
        encours[:, :, t] = s_ex + s_new
    eg = rrf - drf_hi
    eg[:, :, 0] = base.caf + base.interets  # reference year: DGFiP CAF + interest (= RRF − DRF hors intérêts)
    eb = eg - interets
    en = eb - remb
    out = {
        "recettes_reelles_fonctionnement": rrf, "fiscalite": fisc, "dgf": dgf, "attribution_compensation": ac,
        "dsc": dsc, "autres_recettes": autres_rec, "personnel": perso, "autres_charges": autres_ch,
        "depenses_reelles_fonctionnement_hors_interets": drf_hi, "interets": interets,
        "epargne_gestion": eg, "epargne_brute": eb,
        "remboursement_dette": remb, "epargne_nette": en, "depenses_equipement": equip,
        "recettes_investissement": recinv, "emprunt": emprunt, "encours_dette": encours,
    }
    voulues = set(INDICATEURS) if sorties is None else set(sorties)

    def derive(k: str) -> np.ndarray:
        if k == "depenses_reelles_fonctionnement":
            return drf_hi + interets
        if k == "prelevement_fonds_roulement":
            pr = np.array(prelev, dtype="float64")
            pr[:, :, 0] = np.nan
            return pr
        if k == "variation_fonds_roulement":
            vfr = emprunt - (equip - recinv - en - prelev)
            vfr[:, :, 0] = np.nan
            return vfr
        with np.errstate(divide="ignore", invalid="ignore"):
            if k == "taux_epargne_brute":
                return taux_epargne_brute(eb, rrf)
            if k == "capacite_desendettement":
                return capacite_desendettement(encours, eb)
        if k in SEULS_AGGLO:
            a = np.full((D, E, T), np.nan)
            a[:, IA, :] = c if k == "cif" else dotation
            return a
        if k == "etp":
            return np.broadcast_to(eff.etp[None], (D, E, T))
        raise KeyError(k)

    for k in voulues - set(out):
        out[k] = derive(k)
    return {k: out[k] for k in (sorties if sorties is not None else INDICATEURS)}


def taux_epargne_brute(epargne_brute: np.ndarray, rrf: np.ndarray) -> np.ndarray:
    """Taux d'épargne brute (%) = épargne brute / RRF × 100 (same unit as :mod:`orleans_gov.analyse.finances`)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return epargne_brute / rrf * 100.0


def capacite_desendettement(encours: np.ndarray, epargne_brute: np.ndarray) -> np.ndarray:
    """Capacité de désendettement (années) = encours / épargne brute; NaN when the épargne brute is ≤ 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(epargne_brute > 0, encours / epargne_brute, np.nan)


def bloc(sorties: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Bloc communal (22 communes + agglomeration) aggregates, arrays (D, T).

    Flows between the two levels cancel: AC and DSC sum to zero (the agglomeration's are negative), so the sum of
    the entities' RRF is the consolidated RRF. Ratios are recomputed on the sums.
    """
    out = {}
    for k, v in sorties.items():
        if k in ADDITIFS:
            out[k] = np.nansum(v, axis=1) if k != "dotation_intercommunalite" else v[:, IA, :]
    if "epargne_brute" in out and "recettes_reelles_fonctionnement" in out:
        out["taux_epargne_brute"] = taux_epargne_brute(out["epargne_brute"], out["recettes_reelles_fonctionnement"])
    if "epargne_brute" in out and "encours_dette" in out:
        out["capacite_desendettement"] = capacite_desendettement(out["encours_dette"], out["epargne_brute"])
    if "emprunt" in out:
        out["emprunt"][:, 0] = np.nan
    for k in ("prelevement_fonds_roulement", "variation_fonds_roulement"):
        if k in out:
            out[k][:, 0] = np.nan
    if "cif" in sorties:
        out["cif"] = sorties["cif"][:, IA, :]
    return out
