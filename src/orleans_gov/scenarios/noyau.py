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
nette = épargne brute − remboursement. Équilibre réel (art. L.1612-4 CGCT: the épargne — « prélèvement sur les
recettes de la section de fonctionnement » — must cover « le remboursement en capital des annuités d'emprunt à
échoir au cours de l'exercice »; model definition: épargne brute ≥ remboursement en capital, i.e. épargne nette
≥ 0, a strict reading that leaves out the investment section's own receipts — FCTVA, taxe d'aménagement — which
the model ties to the equipment): when épargne brute < remboursement, the gap (``ecart_equilibre``) is closed by
the scenario's lever (``hypotheses.equilibre.levier``): « taux » (default) raises the tax product by the gap, the
rate kept the following years; « depenses_fonctionnement » cuts the other operating charges durably by the gap;
« investissement » takes no new loan that year (programme cut to what own resources fund), the gap stays a
breach; « constater » changes nothing. ``levier_equilibre`` = k€ raised by the lever that year (all the rate
rises kept so far; for « investissement », the equipment cut); ``equilibre_reel`` = 1 when épargne nette ≥ 0
after the lever. emprunt = max(0, équipement − recettes d'investissement − max(épargne nette, 0) − prélèvement
sur fonds de roulement): the loan never funds a negative épargne nette (a remaining breach consumes the fonds de
roulement); a surplus increases the fonds de roulement;
encours(t) = encours(t−1) + emprunt − remboursement; capacité de désendettement = encours / épargne brute (NaN when
épargne brute ≤ 0). The agglomeration's DGF = dotation de compensation (growing like the DGF) + dotation
d'intercommunalité on the CIF of t − décalage (:mod:`.dotations`, legal parameters of each year).
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from orleans_gov.scenarios.actions import Effets
from orleans_gov.scenarios.dotations import (CIF_MOYEN, CRFP_COMMUNES, CRFP_DECALAGE, CRFP_EPCI, DECALAGE,
                                             FCTVA_DECALAGE_CA, FCTVA_DECALAGE_COMMUNES, FCTVA_TAUX, PART_BASE,
                                             PART_DSC, PART_PEREQ, PLAFOND, PLANCHER, RAPPORT_PF, SEUIL_CIF,
                                             VALEUR_POINT, cif, cif_decale, contribution_redressement,
                                             dotation_intercommunalite, fctva_recu, garanties_intercommunalite,
                                             valeurs_annuelles)
from orleans_gov.scenarios.etat import E, IA, Base
from orleans_gov.scenarios.schema import FAMILLES, NIVEAUX, Scenario

BLOC = "bloc"

INDICATEURS: tuple[str, ...] = (
    "recettes_reelles_fonctionnement", "fiscalite", "dgf", "dotation_intercommunalite", "attribution_compensation",
    "dsc", "autres_recettes", "personnel", "autres_charges", "depenses_reelles_fonctionnement_hors_interets",
    "interets", "depenses_reelles_fonctionnement", "epargne_gestion", "epargne_brute", "taux_epargne_brute",
    "remboursement_dette", "epargne_nette", "depenses_equipement", "recettes_investissement",
    "prelevement_fonds_roulement", "emprunt", "variation_fonds_roulement", "encours_dette",
    "capacite_desendettement", "cif", "etp", "fctva", "contribution_redressement", "dotation_forfaitaire",
    "equilibre_reel", "ecart_equilibre", "levier_equilibre",
)
"""The indicators of the projection, in the order of the results (labels, units: :mod:`orleans_gov.base.vocabulaire`)."""

RATIOS = ("taux_epargne_brute", "capacite_desendettement", "cif", "equilibre_reel")
TOLERANCE = 1e-6
"""k€ below which a gap of the équilibre réel is rounding (one euro-thousandth)."""
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
    teom = 0.0 if np.isnan(base.teom) else base.teom * I[("agglomeration", "fiscalite")]   # (D, T), art. L.5211-30
    c = cif(fisc[:, IA, :], fisc[:, :IA, :].sum(axis=1), -ac[:, IA, :], -dsc[:, IA, :], p[PART_DSC], teom)
    c[:, 0] = base.cif
    cd = cif_decale(c, p[DECALAGE])
    spont = dotation_intercommunalite(1000.0, p[VALEUR_POINT], cd, p[CIF_MOYEN], p[PART_BASE], p[PART_PEREQ],
                                      p[RAPPORT_PF])                       # €/hab, before garanties and CRFP
    spont[:, 0] = base.dotation_intercommunalite * 1000.0 / base.population[IA]
    dotation = base.population[IA] * garanties_intercommunalite(spont, p[PLANCHER], p[PLAFOND], cd,
                                                                p[SEUIL_CIF]) / 1000.0
    dgf[:, IA, :] += dotation
    autres_rec = famille("autres_recettes", base.autres_recettes) + eff.abs_recettes[None]
    rrf = fisc + dgf + autres_rec + ac + dsc
    # CRFP (art. L.2334-7 III, L.5211-28 CGCT), deducted after the dotation is computed, spread on the RRF N−2
    taux_crfp = np.vstack([np.broadcast_to(p[CRFP_COMMUNES], (IA, T)), p[CRFP_EPCI][None, :]])
    part = np.ones(E)
    part[IA] = base.part_principal_rrf
    crfp = contribution_redressement(rrf, rrf[0, :, 0], base.rrf_passe, taux_crfp,
                                     int(scenario.parametres_legaux()(CRFP_DECALAGE, scenario.debut)), part)
    dgf -= crfp
    rrf -= crfp
    perso = famille("personnel", base.personnel)
    autres_ch = famille("autres_charges", base.autres_charges) + eff.abs_charges[None]
    drf_hi = perso + autres_ch
    equip = eff.equipement[None] * (1.0 + ch["investissement"])[:, None, None]
    # FCTVA (art. L.1615-6 CGCT): received d years after the spending, at the rate of the spending's date
    regles = scenario.parametres_legaux()
    R = scenario.annee_reference
    dec = np.array([[regles(FCTVA_DECALAGE_CA if i == IA else FCTVA_DECALAGE_COMMUNES, R + t) for t in range(T)]
                    for i in range(E)], dtype="int64")                      # (E, T)
    taux_fctva = {a: regles(FCTVA_TAUX, a) for a in range(R - 2, R + T)}
    d0 = dec[:, 0]
    eq_d0 = np.where(d0 == 0, base.equipement, np.where(d0 == 1, base.equipement_passe[:, 1],
                                                         base.equipement_passe[:, 0]))
    t_d0 = np.array([taux_fctva[R - int(d)] for d in d0])
    with np.errstate(divide="ignore", invalid="ignore"):
        part_fctva = np.where(eq_d0 * t_d0 > 0, base.fctva / (eq_d0 * t_d0), 0.0)   # part éligible observée en R
    fctva = np.empty((D, E, T))
    fctva[:, :, 0] = base.fctva[None]
    recinv = np.empty((D, E, T))
    recinv[:, :, 0] = (equip[:, :, 0] * base.taux_subventions[None] + fctva[:, :, 0])
    tsubv = base.taux_subventions[None, :]

    def equip_depense(t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Equipment of the year each entity's FCTVA of year t rests on, its rate, and whether it is year t."""
        j = t - dec[:, t]
        eq = np.empty((D, E))
        for i in range(E):
            eq[:, i] = equip[:, i, j[i]] if j[i] >= 1 else (
                base.equipement[i] if j[i] == 0 else base.equipement_passe[i, 2 + j[i]])
        return eq, np.array([taux_fctva[R + int(x)] for x in j]), j == t
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
    levier = h.equilibre.levier
    k_fisc = np.ones((D, E))            # tax-rate multiplier kept from year to year (lever « taux »)
    k_dep = np.ones((D, E))             # multiplier of the other operating charges (lever « depenses_fonctionnement »)
    lev = np.zeros((D, E, T))           # k€ raised by the lever each year
    ecart = np.zeros((D, E, T))         # gap found each year before that year's correction
    ecart[:, :, 0] = np.maximum(0.0, base.remboursement - base.caf)[None]
    lev[:, :, 0] = np.nan
    for t in range(1, T):
        rem_ex = np.minimum(s_ex, base.remboursement[None, :])
        rem_new = emprunt[:, :, max(1, t - L):t].sum(axis=2) / L
        interets[:, :, t] = taux_ex[None, :] * s_ex + taux_new[:, None] * s_new
        remb[:, :, t] = rem_ex + rem_new
        f_t, a_t = fisc[:, :, t].copy(), autres_ch[:, :, t].copy()
        eb = rrf[:, :, t] + (k_fisc - 1.0) * f_t - drf_hi[:, :, t] + (1.0 - k_dep) * a_t - interets[:, :, t]
        gap = np.maximum(0.0, remb[:, :, t] - eb)
        gap[gap < TOLERANCE] = 0.0
        ecart[:, :, t] = gap
        if levier == "taux":
            with np.errstate(divide="ignore", invalid="ignore"):
                k_fisc = k_fisc + np.where(f_t > 0, gap / f_t, 0.0)
        elif levier == "depenses_fonctionnement":
            with np.errstate(divide="ignore", invalid="ignore"):
                k_dep = k_dep - np.where(a_t > 0, np.minimum(gap, a_t) / a_t, 0.0)
        fisc[:, :, t] = k_fisc * f_t
        autres_ch[:, :, t] = k_dep * a_t
        extra = (k_fisc - 1.0) * f_t + (1.0 - k_dep) * a_t
        rrf[:, :, t] += (k_fisc - 1.0) * f_t
        drf_hi[:, :, t] -= (1.0 - k_dep) * a_t
        en_t = rrf[:, :, t] - drf_hi[:, :, t] - interets[:, :, t] - remb[:, :, t]
        autofin = np.maximum(en_t, 0.0) + prelev[:, :, t]     # own resources for investment (never a deficit)
        eq_dep, t_dep, meme_annee = equip_depense(t)
        if levier == "investissement":
            # same-year FCTVA (d = 0) follows the cut; a lagged FCTVA is a fixed receipt of the year
            tau = tsubv + np.where(meme_annee, part_fctva * t_dep, 0.0)[None, :]
            fixe = np.where(meme_annee[None, :], 0.0, fctva_recu(part_fctva[None, :], t_dep[None, :], eq_dep))
            with np.errstate(divide="ignore", invalid="ignore"):
                plafond = np.where(tau < 1, (autofin + fixe) / (1.0 - tau), equip[:, :, t])
            coupe = np.where(gap > 0, np.maximum(0.0, equip[:, :, t] - plafond), 0.0)
            equip[:, :, t] -= coupe
            if meme_annee.any():
                eq_dep, t_dep, meme_annee = equip_depense(t)
            lev[:, :, t] = coupe
        else:
            lev[:, :, t] = extra
        fctva[:, :, t] = fctva_recu(part_fctva[None, :], t_dep[None, :], eq_dep)
        recinv[:, :, t] = equip[:, :, t] * tsubv + fctva[:, :, t]
        # art. L.1612-4 CGCT: the loan funds equipment only, never a negative épargne nette
        emprunt[:, :, t] = np.maximum(0.0, equip[:, :, t] - recinv[:, :, t] - autofin)
        s_ex = s_ex - rem_ex
        s_new = s_new + emprunt[:, :, t] - rem_new
        encours[:, :, t] = s_ex + s_new
    eg = rrf - drf_hi
    eg[:, :, 0] = base.caf + base.interets  # reference year: DGFiP CAF + interest (= RRF − DRF hors intérêts)
    eb = eg - interets
    en = eb - remb
    equilibre = np.where(en >= -TOLERANCE, 1.0, 0.0)     # art. L.1612-4: épargne brute ≥ remboursement en capital
    out = {
        "recettes_reelles_fonctionnement": rrf, "fiscalite": fisc, "dgf": dgf, "attribution_compensation": ac,
        "dsc": dsc, "autres_recettes": autres_rec, "personnel": perso, "autres_charges": autres_ch,
        "depenses_reelles_fonctionnement_hors_interets": drf_hi, "interets": interets,
        "epargne_gestion": eg, "epargne_brute": eb,
        "remboursement_dette": remb, "epargne_nette": en, "depenses_equipement": equip,
        "recettes_investissement": recinv, "emprunt": emprunt, "encours_dette": encours,
        "fctva": fctva, "contribution_redressement": crfp, "equilibre_reel": equilibre, "ecart_equilibre": ecart, "levier_equilibre": lev,
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
        if k == "dotation_forfaitaire":      # communes: their DGF (péréquation included), net of the CRFP
            a = np.array(dgf, dtype="float64")
            a[:, IA, :] = np.nan
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
    for k in ("emprunt", "levier_equilibre"):
        if k in out:
            out[k][:, 0] = np.nan
    if "equilibre_reel" in sorties:     # the bloc is in équilibre réel when every entity is
        out["equilibre_reel"] = np.min(sorties["equilibre_reel"], axis=1)
    for k in ("prelevement_fonds_roulement", "variation_fonds_roulement"):
        if k in out:
            out[k][:, 0] = np.nan
    if "cif" in sorties:
        out["cif"] = sorties["cif"][:, IA, :]
    return out
