"""The agglomeration's sample accounts (DGFiP « comptes individuels des GFP » layout, budget principal + budgets
annexes), calibrated on the real OFGL aggregates 2014 (``ofgl-investissement_gfp-244500468_2014-2017.csv``).

Identities of real files hold: ``revtot = −Σ(AC + DSC)`` of the communes' flows, ``rtot = pftot − cftot``,
``cafntot = caftot − edettot``, ``entot(t) = entot(t−1) + rdettot − edettot``, ``XXXtothab = XXXtot × 1000 / mpoid``.
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


PARTS_BA = ("pftot", "cftot", "perstot", "detot", "entot", "caftot")
"""The ``rXXXtot`` columns: share of the budgets annexes in the total (%)."""


def _charges(rng: np.random.Generator, dep_fonc: float, dette_prec: float, an: int) -> dict[str, float]:
    """Operating charges (k€): the OFGL 2014 level +1.8 %/yr, personnel 30 % (+2 %/yr), interest on the debt."""
    t = an - 2014
    cftot_hors = dep_fonc * (1.018 ** t) * float(np.exp(rng.normal(0, 0.015)))
    perstot = cftot_hors * 0.30 * (1.02 ** t)
    cfitot = dette_prec * 0.033 * (0.97 ** (an - 2008))
    acetot = cftot_hors * 0.42
    suvftot = cftot_hors * 0.10
    dap = cftot_hors * 0.12
    autres_c = cftot_hors - perstot - acetot - suvftot - dap
    cftot = perstot + acetot + cfitot + suvftot + autres_c + dap
    return dict(cftot=cftot, perstot=perstot, acetot=acetot, cfitot=cfitot, suvftot=suvftot, dap=dap)


def _produits(rng: np.random.Generator, rec_fonc: float, reverse: float, an: int) -> dict[str, float]:
    """Operating receipts (k€) net of the fiscalité reversée (``revtot`` < 0: AC + DSC paid to the communes);
    DGF cut 7 %/yr 2014–2017."""
    t = an - 2014
    brut = rec_fonc * (1.02 ** t) * float(np.exp(rng.normal(0, 0.015)))
    dgftot = brut * 0.16 * ((0.93 ** max(0, min(an, 2017) - 2013)))
    iltot = brut * 0.52
    aittot = brut * 0.12
    revtot = -reverse
    pftot = iltot + revtot + aittot + dgftot + (brut - iltot - aittot - dgftot) * 0.95 + reverse * 0.0
    return dict(pftot=pftot, iltot=iltot, revtot=revtot, aittot=aittot, dgftot=dgftot)


def _investissement(rng: np.random.Generator, equip_2014: float, dette_prec: float, caftot: float,
                    an: int) -> dict[str, float]:
    """Investment and debt (k€): equipment on the electoral cycle, repayment over 18 years, borrowing that rolls
    over part of the repayment and funds half of the need; ``entot(t) = entot(t−1) + rdettot − edettot``."""
    edettot = dette_prec / 18.0
    cafntot = caftot - edettot
    detot = equip_2014 * CYCLE_EQUIPEMENT[an] / CYCLE_EQUIPEMENT[2014] * float(np.exp(rng.normal(0, 0.1)))
    subvitot = 0.18 * detot
    fattot = 0.15 * detot
    rdettot = max(0.0, edettot * (0.45 + 0.4 * rng.random()) + 0.5 * max(detot - cafntot - subvitot - fattot, 0.0))
    entot = dette_prec + rdettot - edettot
    ritot = rdettot + subvitot + fattot
    eitot = detot + edettot
    return dict(cafntot=cafntot, rdettot=rdettot, subvitot=subvitot, fattot=fattot, eitot=eitot, detot=detot,
                edettot=edettot, entot=entot, ritot=ritot)


def _fiscalite(row: dict, iltot: float, mpoid: float) -> None:
    """From 2011 (réforme de la taxe professionnelle): CFE, CVAE, IFER, TASCOM products (shares of the taxes)."""
    pcfe2 = iltot * 0.45
    row.update(pcfe2=round(pcfe2, 2), cvaeg=round(iltot * 0.30, 2), iferg=round(iltot * 0.01, 2),
               tascomg=round(iltot * 0.04, 2), tcfe2=26.55)
    row["fpcfe2"] = row["pcfe2"] * 1000 / mpoid
    row["fcvaeg"] = row["cvaeg"] * 1000 / mpoid


def generer_gfp(cat: Catalogue, rng: np.random.Generator, flux: pd.DataFrame, pops: pd.DataFrame,
                fonctions: list) -> dict[str, Path]:
    """Write the agglomeration's GFP account of every year; its spending by function is appended to
    ``fonctions``. ``flux``: the communes' AC and DSC (k€); ``pops``: the annual populations."""
    ofgl = read_ofgl_investissement(cat.ofgl_investissement).set_index("an")
    o = ofgl.loc[2014]
    rec_fonc = o["rec_fonc"] + o["rec_fonc_ba"]
    dep_fonc = o["dep_fonc"] + o["dep_fonc_ba"]
    dette_2014 = o["dette"] + o["dette_ba"]
    equip_2014 = o["dep_equip"] + o["dep_equip_ba"]
    part_ba = (o["rec_fonc_ba"] / rec_fonc) * 100
    chemins = {}
    dette_prec = dette_2014 * 1.02 ** 6  # debt was slowly decreasing around 2014 (OFGL 2014–2016)
    parts_f = rng.dirichlet(PROFIL_FONCT_AGGLO * 300)
    parts_i = rng.dirichlet(PROFIL_INVEST_AGGLO * 80)
    for an in ANNEES:
        ff = flux[flux["an"] == an]
        reverse = float(round(ff["attribution_compensation"].sum(), 2) + round(ff["dsc"].sum(), 2))
        mpoid = float(pops[pops["an"] == an - 3]["population"].sum()) * 1.025
        ch = _charges(rng, dep_fonc, dette_prec, an)
        pr = _produits(rng, rec_fonc, reverse, an)
        rtot = pr["pftot"] - ch["cftot"]
        caftot = rtot + ch["dap"]
        inv = _investissement(rng, equip_2014, dette_prec, caftot, an)
        antot = inv["edettot"] + ch["cfitot"]
        dette_prec = inv["entot"]
        m = dict(pftot=pr["pftot"], iltot=pr["iltot"], revtot=pr["revtot"], aittot=pr["aittot"],
                 dgftot=pr["dgftot"], cftot=ch["cftot"], perstot=ch["perstot"], acetot=ch["acetot"],
                 cfitot=ch["cfitot"], suvftot=ch["suvftot"], rtot=rtot, ritot=inv["ritot"], rdettot=inv["rdettot"],
                 subvitot=inv["subvitot"], fattot=inv["fattot"], eitot=inv["eitot"], detot=inv["detot"],
                 edettot=inv["edettot"], caftot=caftot, cafntot=inv["cafntot"], entot=inv["entot"], antot=antot)
        m = {k: round(float(v), 2) for k, v in m.items()}
        m["revtot"] = -round(reverse, 2)
        m["rtot"] = round(m["pftot"] - m["cftot"], 2)
        m["cafntot"] = round(m["caftot"] - m["edettot"], 2)
        row: dict[str, object] = {"mpoid": mpoid, "lbudg": "CA ORLEANS VAL DE LOIRE", "exer": str(an),
                                  "nbbaspic": 4.0, "nbtotba": 4.0, "siren": SIREN_AGGLO}
        row.update(m)
        for c, v in m.items():
            row[f"{c}hab"] = v * 1000.0 / mpoid
        for c in PARTS_BA:
            row[f"r{c}"] = float(np.clip(part_ba * (1 + rng.normal(0, 0.05)), 0, 100))
        if an >= 2011:
            _fiscalite(row, pr["iltot"], mpoid)
        fonctions += ventiler(SIREN_AGGLO, an, m["cftot"], parts_f, m["eitot"], m["edettot"], parts_i, rng)
        p = cat.dgfip_gfp_sample / f"comptes-individuels-gfp_{an}_exemple.csv"
        ecrire_csv_officiel(p, ENTETE_GFP, [row], vide_final=False, decimales=decimales_gfp)
        chemins[f"gfp_{an}"] = p
    return chemins
