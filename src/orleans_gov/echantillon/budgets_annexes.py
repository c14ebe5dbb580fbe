"""The agglomeration's budgets annexes (sample), one row per (année, budget), amounts in k€.

Which budgets: those the agglomeration really held (``competences_agglo-orleans.csv``): **transports** (autorité
organisatrice, réseau TAO, versement transport; budget annexe named in the BP 2008 and BP 2011 press reports) and
**assainissement** (« service géré en budget annexe (M49) ») every year; **eau** only from 2017 (eau potable
transferred to the communauté urbaine on 1 January 2017, communal before). Déchets: TEOM and spending in the budget
principal (the BP 2007 report counts the TEOM among the « recettes fiscales »), no budget annexe.

Anchors (real):
- 2014–2017: the OFGL totals of the budgets annexes (``*_ba`` columns of ``ofgl-investissement_gfp-244500468_…``):
  ``rec_fonc_ba``, ``dep_fonc_ba``, ``dep_equip_ba``, ``emprunt_ba``, ``remboursement_ba``, ``dette_ba``. Σ budgets
  of a year equals them; **their split among the budgets is an assumption** (:data:`PARTS_REELLES`, « répartition
  exemple »);
- published figures (``chiffres-publies_agglo-orleans_2001-2013.csv``): transport debt 137 M€ (BP 2008) and 259 M€
  (BP 2011), subvention d'équilibre of the budget principal to the transport budget 28 M€ (BP 2011), versement
  transport 51 M€ (2007) and 53 M€ (BP 2010), tramway line B spending (96 M€ in 2010, 42 M€ in 2011), redevance
  d'assainissement 22 M€ (2007); the rest of the series is modelled (:data:`DETTE`, :data:`EQUIPEMENT`, growth
  rates). APPROXIMATE, sample only.

Identities (exact, to the cent): ``epargne_brute = recettes_fonctionnement − depenses_fonctionnement`` (CAF brute of
the budget, instruction M43/M49); ``encours_dette(N) = encours_dette(N−1) + emprunt − remboursement_capital +
variation_perimetre`` (``variation_perimetre``: debt taken over on a transfer, the 2017 eau budget; 0 otherwise).
The sample years are derived backwards from the real 2014 split so that 2013 → 2014 chains without a jump.
"""
from __future__ import annotations

import pandas as pd

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.provenance import EXEMPLE
from orleans_gov.echantillon.calage import ANNEES
from orleans_gov.echantillon.ecriture import ecrire_csv_tableau
from orleans_gov.sources.referentiel import read_ofgl_investissement

BUDGETS = ("transports", "assainissement", "eau")
ANNEES_OFGL = (2014, 2015, 2016, 2017)
DEBUT_BUDGET = {"transports": ANNEES[0], "assainissement": ANNEES[0], "eau": 2017}
COLONNES = ["an", "budget", "recettes_fonctionnement", "depenses_fonctionnement", "versement_transport",
            "subvention_equilibre", "epargne_brute", "depenses_equipement", "emprunt", "remboursement_capital",
            "variation_perimetre", "encours_dette", "origine", "provenance"]
ORIGINE_EXEMPLE = "exemple"
ORIGINE_OFGL = "réel (total OFGL des budgets annexes), répartition exemple"

OFGL = {"recettes_fonctionnement": "rec_fonc_ba", "depenses_fonctionnement": "dep_fonc_ba",
        "depenses_equipement": "dep_equip_ba", "emprunt": "emprunt_ba", "remboursement_capital": "remboursement_ba",
        "encours_dette": "dette_ba"}
"""Column of this table → OFGL column holding the total of the budgets annexes."""

PARTS_REELLES = {
    # share of each budget in the OFGL total: recettes, dépenses de fonctionnement, équipement, dette (emprunt,
    # remboursement and encours share one split so that the debt identity holds budget by budget)
    "transports": {"rec": 0.78, "dep": 0.79, "equip": 0.58, "dette": 0.80},
    "assainissement": {"rec": 0.22, "dep": 0.21, "equip": 0.42, "dette": 0.20},
}
PARTS_2017 = {  # eau potable joins on 1 January 2017: operating and equipment shares; its debt is the take-over
    "transports": {"rec": 0.70, "dep": 0.71, "equip": 0.52, "dette": 0.80},
    "assainissement": {"rec": 0.19, "dep": 0.18, "equip": 0.34, "dette": 0.20},
    "eau": {"rec": 0.11, "dep": 0.11, "equip": 0.14, "dette": 0.0},
}

DETTE = {"transports": {2008: 137_000.0, 2009: 155_000.0, 2010: 189_000.0, 2011: 259_000.0, 2012: 281_000.0},
         "assainissement": {2008: 86_000.0, 2009: 83_000.0, 2010: 79_000.0, 2011: 76_000.0, 2012: 73_000.0}}
"""End-of-year debt of the sample years before 2013 (k€): transport 137 M€ (BP 2008) and 259 M€ (BP 2011)
published, tramway line B borrowing in between; assainissement = 390 − 137 − 167 M€ in 2008 (published consolidated,
transport and budget principal debts), slowly amortised. 2013 is derived from the real 2014 split."""
DETTE_2007 = {"transports": 110_000.0, "assainissement": 88_000.0}
EQUIPEMENT = {"transports": {2008: 88_000.0, 2009: 118_000.0, 2010: 96_000.0, 2011: 47_000.0, 2012: 30_000.0,
                             2013: 16_000.0},
              "assainissement": {2008: 9_500.0, 2009: 9_000.0, 2010: 8_800.0, 2011: 8_500.0, 2012: 8_200.0,
                                 2013: 8_000.0}}
"""Equipment spending of the sample years before 2014 (k€): tramway line B (works 2008–2012, opened June 2012;
96 M€ in 2010 and 42 M€ inscribed in 2011, BP 2010 and BP 2011), network renewal of the assainissement."""
EPARGNE_TRANSPORTS = {2008: 14_000.0, 2009: 16_000.0, 2010: 17_500.0, 2011: 19_500.0, 2012: 23_000.0, 2013: 25_500.0}
"""Épargne brute of the transport budget before 2014 (k€): rising with the versement transport and the subvention
d'équilibre while the tramway line B is built, to the real-split 27,2 M€ of 2014; keeps the consolidated CAF of the
agglomeration at its published level (capacité de désendettement 10–11,5 years, BP 2008–2011)."""
TAUX_AMORTISSEMENT = {"transports": 0.062, "assainissement": 0.075, "eau": 0.07}
"""Capital repaid in a year / debt at the start of the year (sample years)."""


def _versement_transport(an: int) -> float:
    """Versement transport (art. L.2333-64 CGCT, k€): 51 M€ in 2007 (BP 2007), rate raised from 1,75 % to the
    1,80 % maximum in 2008 (BP 2008), then +1,2 %/yr (payroll base): 53,7 M€ in 2010 against 53 M€ published."""
    if an < 2008:
        return 51_000.0
    return 51_000.0 * 1.80 / 1.75 * 1.012 ** (an - 2008)


def _subvention_transports(an: int) -> float:
    """Subvention d'équilibre of the budget principal to the transport budget (art. L.2224-2 CGCT exceptions):
    28 M€ in 2011 (BP 2011); rising with the tramway's operation from 2012, +1 %/yr afterwards."""
    base = {2008: 22_000.0, 2009: 24_000.0, 2010: 26_000.0, 2011: 28_000.0, 2012: 29_500.0, 2013: 30_000.0}
    return base.get(an, 30_000.0 * 1.01 ** (an - 2013))


def _ligne(an: int, budget: str, rec: float, dep: float, vt, subv: float, equip: float, emp: float, remb: float,
           varp: float, encours: float, origine: str) -> dict:
    r = {k: round(float(v), 2) for k, v in dict(recettes_fonctionnement=rec, depenses_fonctionnement=dep,
                                                 subvention_equilibre=subv, depenses_equipement=equip,
                                                 emprunt=emp, remboursement_capital=remb,
                                                 variation_perimetre=varp, encours_dette=encours).items()}
    r["epargne_brute"] = round(r["recettes_fonctionnement"] - r["depenses_fonctionnement"], 2)
    r["versement_transport"] = round(float(vt), 2) if vt is not None else float("nan")
    return dict(an=an, budget=budget, origine=origine, provenance=EXEMPLE, **r)


def _annees_reelles(ofgl: pd.DataFrame) -> list[dict]:
    """2014–2017: the OFGL totals split by :data:`PARTS_REELLES` (2017: :data:`PARTS_2017`, eau taking over the
    debt that the total's identity leaves unexplained)."""
    lignes, prec = [], {}
    for an in ANNEES_OFGL:
        o = ofgl.loc[an]
        parts = PARTS_2017 if an >= 2017 else PARTS_REELLES
        debut = sum(prec.values())
        reprise = float(o["dette_ba"]) - (debut + float(o["emprunt_ba"]) - float(o["remboursement_ba"])) if prec \
            else 0.0
        for b, p in parts.items():
            emp = float(o["emprunt_ba"]) * p["dette"]
            remb = float(o["remboursement_ba"]) * p["dette"]
            varp = reprise if (b == "eau" and an == 2017) else 0.0
            enc = float(o["dette_ba"]) * p["dette"] if an == ANNEES_OFGL[0] else prec.get(b, 0.0) + emp - remb + varp
            rec = float(o["rec_fonc_ba"]) * p["rec"]
            vt = _versement_transport(an) if b == "transports" else None
            subv = _subvention_transports(an) if b == "transports" else 0.0
            lignes.append(_ligne(an, b, rec, float(o["dep_fonc_ba"]) * p["dep"], vt, subv,
                                 float(o["dep_equip_ba"]) * p["equip"], emp, remb, varp, enc, ORIGINE_OFGL))
            prec[b] = round(enc, 2)
    return lignes


def generer_budgets_annexes(cat: Catalogue) -> pd.DataFrame:
    """Every (année, budget) of the sample years, deterministic (no random draw): the real OFGL years split, the
    years before 2014 derived backwards from the 2014 split and :data:`DETTE`, the years after 2017 carried forward
    (operating items +1,5 %/yr, equipment at the 2015–2017 mean, borrowing covering 60 % of the repayment)."""
    ofgl = read_ofgl_investissement(cat.ofgl_investissement).set_index("an")
    reelles = _annees_reelles(ofgl)
    r14 = {r["budget"]: r for r in reelles if r["an"] == 2014}
    lignes = list(reelles)
    for b in ("transports", "assainissement"):
        # 2013 chains to the real 2014 row: encours(2013) = encours(2014) − emprunt(2014) + remboursement(2014)
        enc = {2007: DETTE_2007[b], **DETTE[b],
               2013: r14[b]["encours_dette"] - r14[b]["emprunt"] + r14[b]["remboursement_capital"]}
        for an in range(ANNEES[0], 2014):
            remb = enc[an - 1] * TAUX_AMORTISSEMENT[b]
            emp = enc[an] - enc[an - 1] + remb
            recul = 1.015 ** (2014 - an)
            if b == "transports":
                vt, subv = _versement_transport(an), _subvention_transports(an)
                autres = (r14[b]["recettes_fonctionnement"] - r14[b]["versement_transport"]
                          - r14[b]["subvention_equilibre"]) / recul
                rec = vt + subv + autres
                dep = rec - EPARGNE_TRANSPORTS[an]
            else:
                vt, subv = None, 0.0
                rec = r14[b]["recettes_fonctionnement"] / recul
                dep = r14[b]["depenses_fonctionnement"] / recul
            lignes.append(_ligne(an, b, rec, dep, vt, subv, EQUIPEMENT[b][an], emp, remb, 0.0, enc[an],
                                 ORIGINE_EXEMPLE))
    r17 = {r["budget"]: r for r in reelles if r["an"] == 2017}
    equip_moy = {b: sum(r["depenses_equipement"] for r in reelles if r["budget"] == b and r["an"] >= 2015)
                 / (3 if b != "eau" else 1) for b in BUDGETS}
    for b in BUDGETS:
        enc = r17[b]["encours_dette"]
        for an in range(2018, ANNEES[-1] + 1):
            t = 1.015 ** (an - 2017)
            remb = enc * TAUX_AMORTISSEMENT[b]
            emp = 0.6 * remb
            vt = _versement_transport(an) if b == "transports" else None
            subv = _subvention_transports(an) if b == "transports" else 0.0
            enc_n = enc + emp - remb
            lignes.append(_ligne(an, b, r17[b]["recettes_fonctionnement"] * t, r17[b]["depenses_fonctionnement"] * t,
                                 vt, subv, equip_moy[b], emp, remb, 0.0, enc_n, ORIGINE_EXEMPLE))
            enc = round(enc_n, 2)
    df = pd.DataFrame(lignes)[COLONNES]
    return df.sort_values(["an", "budget"]).reset_index(drop=True)


def ecrire_budgets_annexes(cat: Catalogue, df: pd.DataFrame):
    """``raw/sample/budgets_annexes.csv`` (tidy layout, ``,`` separator, amounts with 2 decimals)."""
    return ecrire_csv_tableau(df, cat.budgets_annexes_sample)
