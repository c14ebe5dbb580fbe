"""The agglomeration's sample accounts (DGFiP « comptes individuels des GFP » layout): budget principal + budgets
annexes, the ``*tot`` columns being their sum, as in the real files.

- **budgets annexes**: the rows of :mod:`.budgets_annexes` (transports, assainissement, eau from 2017), whose sum is
  the real OFGL ``*_ba`` totals 2014–2017;
- **budget principal**: 2014–2017 the real OFGL budget-principal aggregates (``rec_fonc``, ``dep_fonc``,
  ``dep_equip``, ``emprunt``, ``remboursement``, ``dette``); before 2014 the paths of :data:`PRINCIPAL`, set so that
  the consolidated accounts meet the published figures (chiffres publiés: consolidated debt 390 → 531 M€ over
  2008–2011 with the tramway line B, capacité de désendettement 10–11,5 years, épargne nette 0,65 / 10,1 / 9,9 M€
  in 2008–2010, dépenses réelles d'investissement 191 and 148 M€ in 2009–2010, budget-principal debt 167 M€ and
  personnel 15,3 M€ in 2008, 25,5 M€ in 2011, TPU 136 M€ in 2008); after 2017 carried forward.

Identities of real files hold: ``revtot = −Σ(AC + DSC)`` of the communes' flows, ``rtot = pftot − cftot``,
``caftot = rtot + dap`` (DGFiP CAF brute), ``cafntot = caftot − edettot``, ``entot(t) = entot(t−1) + rdettot −
edettot`` (``rdettot`` includes the debt taken over in 2017, and absorbs the OFGL 2017 budget-principal debt that
repeats 2016), ``XXXtothab = XXXtot × 1000 / mpoid``, ``rXXXtot`` = 100 × budgets annexes / total.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.territoire import SIREN_AGGLO
from orleans_gov.echantillon.calage import ANNEES, CYCLE_EQUIPEMENT, PROFIL_FONCT_AGGLO, PROFIL_INVEST_AGGLO
from orleans_gov.echantillon.ecriture import decimales_gfp, ecrire_csv_officiel
from orleans_gov.echantillon.ventilation import ventiler
from orleans_gov.sources.dgfip import ENTETE_GFP
from orleans_gov.sources.referentiel import read_ofgl_investissement

PRINCIPAL = {
    # k€: encours 31/12, remboursement, équipement, CAF brute, personnel of the budget principal
    "dette": {2007: 160_000.0, 2008: 168_000.0, 2009: 175_000.0, 2010: 186_500.0, 2011: 196_000.0,
              2012: 198_000.0, 2013: 201_500.0},
    "remb": {2008: 19_930.0, 2009: 16_256.0, 2010: 18_165.0, 2011: 18_500.0, 2012: 19_000.0, 2013: 19_000.0},
    "equip": {2008: 30_000.0, 2009: 32_800.0, 2010: 10_000.0, 2011: 42_500.0, 2012: 30_000.0, 2013: 25_000.0},
    "caf": {2008: 12_000.0, 2009: 17_200.0, 2010: 18_100.0, 2011: 19_100.0, 2012: 23_000.0, 2013: 26_500.0},
    "perso": {2008: 15_300.0, 2009: 23_800.0, 2010: 25_300.0, 2011: 25_500.0, 2012: 26_000.0, 2013: 26_600.0},
}
"""Budget principal before 2014 (k€). Debt: 167 M€ published for 2008, then the consolidated path (390, 413, 453–456,
531 M€) less the budgets annexes; repayments: consolidated CAF − épargne nette published less the annexes'; CAF:
consolidated debt / capacité published less the annexes' épargne brute; personnel: 15,3 M€ (BP 2008), 23,3 M€ of
« masse salariale » (BP 2009, services transferred), 25,5 M€ (BP 2011, +0,7 %)."""
IMPOTS_LOCAUX = {2008: 136_000.0, 2009: 146_000.0, 2010: 143_600.0, 2011: 150_800.0, 2012: 153_800.0,
                 2013: 156_900.0}
"""``iltot`` (k€): TPU 136 M€ in 2008 (its only tax), TP 139 + 7 M€ of household taxes in 2009, compensation relais
136,6 + 7 M€ in 2010, 150,8 M€ of recettes fiscales in 2011 (BP, chiffres publiés), +2 %/yr afterwards."""
DGF_2008 = 38_000.0
PERSO_ANNEXES_2008 = 2_400.0
"""Personnel of the budgets annexes (k€, 2008; +2 %/yr): the tramway and buses are operated by a delegate (SEMTAO),
so the annexes' own staff is small (assainissement in régie)."""
TAUX_INTERET = 0.033


def _principal(an: int, ofgl: pd.DataFrame, prec: dict) -> dict[str, float]:
    """The budget principal of year ``an`` (k€): dépenses réelles de fonctionnement, CAF, équipement, emprunt,
    remboursement, encours, personnel."""
    if an in ofgl.index:
        o = ofgl.loc[an]
        dette = float(o["dette"])
        return dict(dep=float(o["dep_fonc"]), caf=float(o["rec_fonc"]) - float(o["dep_fonc"]),
                    equip=float(o["dep_equip"]), remb=float(o["remboursement"]), dette=dette,
                    perso=prec["perso"] * (1.035 if an == 2014 else 1.02))
    if an < min(ofgl.index):
        o = ofgl.loc[min(ofgl.index)]
        remb = PRINCIPAL["remb"][an]
        return dict(dep=float(o["dep_fonc"]) / 1.018 ** (min(ofgl.index) - an), caf=PRINCIPAL["caf"][an],
                    equip=PRINCIPAL["equip"][an], remb=remb, dette=PRINCIPAL["dette"][an],
                    perso=PRINCIPAL["perso"][an])
    t = 1.0 + (0.045 if an in (2022, 2023) else 0.02)
    remb = prec["dette"] * 0.10
    equip_ref = float(ofgl.loc[max(ofgl.index), "dep_equip"])
    return dict(dep=prec["dep"] * 1.015, caf=prec["caf"] * 1.01, remb=remb, dette=prec["dette"] + 0.75 * remb - remb,
                equip=equip_ref * CYCLE_EQUIPEMENT[an] / CYCLE_EQUIPEMENT[max(ofgl.index)], perso=prec["perso"] * t)


def _consolider(an: int, bp: dict, ba: pd.DataFrame, reverse: float, entot_prec: float) -> dict[str, float]:
    """Budget principal + budgets annexes in the DGFiP ``*tot`` columns (k€)."""
    s = ba.sum(numeric_only=True)
    entot = bp["dette"] + float(s["encours_dette"])
    edettot = bp["remb"] + float(s["remboursement_capital"])
    rdettot = entot - entot_prec + edettot
    caftot = bp["caf"] + float(s["epargne_brute"])
    cf_reel = bp["dep"] + float(s["depenses_fonctionnement"])
    dap = 0.12 * cf_reel
    perso_ba = PERSO_ANNEXES_2008 * 1.02 ** (an - 2008)
    perstot = bp["perso"] + perso_ba
    cfitot = entot_prec * TAUX_INTERET * 0.97 ** (an - 2008)
    acetot, suvftot = 0.30 * cf_reel, 0.10 * cf_reel
    pftot = cf_reel + caftot
    iltot = IMPOTS_LOCAUX.get(an, IMPOTS_LOCAUX[2013] * 1.02 ** (an - 2013))
    dgftot = DGF_2008 * 1.005 ** (min(an, 2013) - 2008) * 0.93 ** max(0, min(an, 2017) - 2013)
    aittot = float(s["versement_transport"]) + 0.15 * iltot
    detot = bp["equip"] + float(s["depenses_equipement"])
    subvitot, fattot = 0.18 * detot, 0.15 * detot
    return dict(pftot=pftot, iltot=iltot, revtot=-reverse, aittot=aittot, dgftot=dgftot, cftot=cf_reel + dap,
                perstot=perstot, acetot=acetot, cfitot=cfitot, suvftot=suvftot, rtot=pftot - cf_reel - dap,
                ritot=rdettot + subvitot + fattot, rdettot=rdettot, subvitot=subvitot, fattot=fattot,
                eitot=detot + edettot, detot=detot, edettot=edettot, caftot=caftot, cafntot=caftot - edettot,
                entot=entot, antot=edettot + cfitot,
                _parts=dict(pftot=float(s["recettes_fonctionnement"]) / pftot,
                            cftot=float(s["depenses_fonctionnement"]) / (cf_reel + dap), perstot=perso_ba / perstot,
                            detot=float(s["depenses_equipement"]) / detot,
                            entot=float(s["encours_dette"]) / entot, caftot=float(s["epargne_brute"]) / caftot))


def _fiscalite(row: dict, iltot: float, mpoid: float) -> None:
    """From 2011 (réforme de la taxe professionnelle): CFE, CVAE, IFER, TASCOM products (shares of the taxes)."""
    pcfe2 = iltot * 0.45
    row.update(pcfe2=round(pcfe2, 2), cvaeg=round(iltot * 0.30, 2), iferg=round(iltot * 0.01, 2),
               tascomg=round(iltot * 0.04, 2), tcfe2=26.55)
    row["fpcfe2"] = row["pcfe2"] * 1000 / mpoid
    row["fcvaeg"] = row["cvaeg"] * 1000 / mpoid


def generer_gfp(cat: Catalogue, rng: np.random.Generator, flux: pd.DataFrame, pops: pd.DataFrame,
                fonctions: list, annexes: pd.DataFrame) -> dict[str, Path]:
    """Write the agglomeration's GFP account of every year; its spending by function is appended to
    ``fonctions``. ``flux``: the communes' AC and DSC (k€); ``pops``: the annual populations; ``annexes``: the
    budgets annexes (:func:`.budgets_annexes.generer_budgets_annexes`)."""
    ofgl = read_ofgl_investissement(cat.ofgl_investissement).set_index("an")
    chemins = {}
    parts_f = rng.dirichlet(PROFIL_FONCT_AGGLO * 300)
    parts_i = rng.dirichlet(PROFIL_INVEST_AGGLO * 80)
    ba0 = annexes[annexes["an"] == ANNEES[0]]
    entot_prec = PRINCIPAL["dette"][ANNEES[0] - 1] + float(
        (ba0["encours_dette"] - ba0["emprunt"] + ba0["remboursement_capital"]).sum())
    bp: dict = {}
    for an in ANNEES:
        ff = flux[flux["an"] == an]
        reverse = float(round(ff["attribution_compensation"].sum(), 2) + round(ff["dsc"].sum(), 2))
        mpoid = float(pops[pops["an"] == an - 3]["population"].sum()) * 1.025
        bp = _principal(an, ofgl, bp)
        m = _consolider(an, bp, annexes[annexes["an"] == an], reverse, entot_prec)
        parts = m.pop("_parts")
        m = {k: round(float(v), 2) for k, v in m.items()}
        m["revtot"] = -round(reverse, 2)
        m["rtot"] = round(m["pftot"] - m["cftot"], 2)
        m["cafntot"] = round(m["caftot"] - m["edettot"], 2)
        m["rdettot"] = round(m["entot"] - round(entot_prec, 2) + m["edettot"], 2)
        entot_prec = m["entot"]
        row: dict[str, object] = {"mpoid": mpoid, "lbudg": "CA ORLEANS VAL DE LOIRE", "exer": str(an),
                                  "nbbaspic": float(annexes[annexes["an"] == an]["budget"].nunique()),
                                  "siren": SIREN_AGGLO}
        row["nbtotba"] = row["nbbaspic"]
        row.update(m)
        for c, v in m.items():
            row[f"{c}hab"] = v * 1000.0 / mpoid
        for c, v in parts.items():
            row[f"r{c}"] = float(np.clip(100 * v, 0, 100))
        if an >= 2011:
            _fiscalite(row, m["iltot"], mpoid)
        fonctions += ventiler(SIREN_AGGLO, an, m["cftot"], parts_f, m["eitot"], m["edettot"], parts_i, rng)
        p = cat.dgfip_gfp_sample / f"comptes-individuels-gfp_{an}_exemple.csv"
        ecrire_csv_officiel(p, ENTETE_GFP, [row], vide_final=False, decimales=decimales_gfp)
        chemins[f"gfp_{an}"] = p
    return chemins
