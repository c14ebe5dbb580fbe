"""The 22 communes' sample accounts (DGFiP « comptes individuels des communes » layout), 2008–2023.

One commune-year is built family by family, in this order (the order of the random draws, which the byte-identical
regeneration relies on): yearly noise (:func:`_bruit_annuel`), receipts (:func:`_produits`), current charges
(:func:`_charges`), savings (:func:`_epargne`), investment and debt (:func:`_investissement`), the council's
reaction to its savings rate (:func:`_pilotage`), local taxes (:func:`_fiscalite`), then the DGFiP columns
(:func:`_ligne_dgfip`: ``fX``, ``rX``, strata means ``mX``) and the split by function.

Identities of real files hold: ``res1 = prod − charge``, ``cafn = caf − remb``,
``dette(t) = dette(t−1) + emp − remb``, ``fX = X × 1000 / pop1``, ``rX`` with the DGFiP denominators, ``mX`` = strata
means (the real DGFiP means where published). Orléans is calibrated on its real 2013 sheet.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.territoire import CODE_ORLEANS, CODES_INSEE, REGIME_FPU, strate_dgfip
from orleans_gov.echantillon.calage import (ANNEES, CODES_MODELE, MILIEU_STRATE, PROFIL_FONCT_COMMUNE,
                                            PROFIL_INVEST_COMMUNE, Profil, indice, niveau_modele,
                                            profil_strates, ratio_totale_municipale, strates_reelles)
from orleans_gov.echantillon.ecriture import arrondi, inom
from orleans_gov.echantillon.ventilation import ventiler
from orleans_gov.sources.dgfip import DENOMINATEURS_RATIOS, ENTETE_COMMUNES_2013, read_fiche_aeff

FAMILLES = ["impo1", "impo2_autres", "dgf", "autres_prod", "perso", "achat", "fin", "cont", "subv",
            "autres_charges", "equip", "subr", "fctva", "dette0", "dap"]
"""Account families that carry a commune-specific persistent deviation and a yearly noise."""
# Saran and Saint-Jean-de-Braye host large business parks: higher former business tax → higher AC (€/hab)
AC_PAR_HABITANT = {"45302": 1000.0, "45284": 420.0, "45147": 300.0, "45285": 180.0, "45169": 320.0}
ECHELLE_AC = 2.75
"""The other communes' AC: a uniform draw in [20, 90] €/hab × this factor. Calibrated so that Σ(AC + DSC) paid by
the agglomeration is about 80 M€ in 2011 (« reversements aux communes », BP 2011, chiffres publiés)."""
AC_ORLEANS = 28_200.0
"""Orléans's attribution de compensation (k€), frozen until the 2017 transfers: 28,2 M€ published (chiffres publiés,
« avant transferts 2017 »). An AC is fixed in nominal terms (art. 1609 nonies C V CGI): constant over the years."""
SIGMA_ECARTS = 0.22
"""σ of the communes' persistent log-normal deviation from the strata model (a realistic spread: some communes far
from their strata, persistent over the years; was 0,12)."""
PART_AC_RESIDU = 0.55
"""Share of the strata's « other receipts » (prod − impo1 − impo2 − dgf) that is fiscalité reversée (AC + DSC) for
FPU communes: removed from the model and replaced by the commune's own AC and DSC (assumption, sample only)."""
CIBLES_SARAN = {"perso": 1212.0, "impo1": 714.0, "achat": 330.0, "subv": 130.0}
"""Saran's 2013 levels (€/hab): personnel 1 212 and impôts locaux 714 (DGFiP indicators 2013 quoted in the
débat d'orientation budgétaire, chiffres publiés); purchases and subsidies set so that its operating charges reach
about the published 1 911 €/hab. Its persistent deviations are these / the strata model at its size."""
PARTS_FB = {"45302": 524.0 / 714.0}
"""Share of the taxe foncière bâtie in the impôts locaux (default 0,48): Saran 524 / 714 €/hab (published, 2013)."""
TAUX_FB = {"45302": 29.70}
"""Published voted rate of the taxe foncière bâtie (Saran 2013: 29,70 %)."""
ORLEANS_PERSO = {2008: 1.085, 2009: 1.085, 2010: 1.08, 2011: 1.075, 2012: 1.04}
"""Orléans's personnel / its real 2013 level: the BP 2008–2011 give 89,8–90,8 M€ (chiffres publiés) against
78,5 M€ in the real 2013 account; the sample keeps a flat 81–82 M€ falling to the real 2013 level (BP forecasts
run above the accounts)."""
ORLEANS_EQUIP = {2008: 0.88, 2009: 0.85, 2010: 0.89, 2011: 1.0, 2012: 1.05}
"""Orléans's equipment / its real 2013 level (54,6 M€): 47,6–48,7 M€ in 2008, 46,6 M€ in 2009 (BP, chiffres publiés)."""
ORLEANS_DETTE = {2007: 95_000.0, 2008: 98_500.0, 2009: 104_000.0, 2010: 101_500.0, 2011: 99_000.0, 2012: 100_000.0}
"""Orléans's debt at 31 December (k€): « stable depuis 2001 » around 100 M€, 97,4–100 M€ in 2008, 104,5 M€ forecast
for 2009, « en deçà des 100 millions » in 2011 (BP, chiffres publiés); real 2013: 101,2 M€. Borrowing closes it."""
ORLEANS_CAF = {2008: 21_000.0, 2009: 21_000.0, 2010: 22_000.0, 2011: 23_000.0, 2012: 26_500.0}
"""Orléans's CAF brute (k€): autofinancement brut 20 M€ (BP 2009), 23,3 M€ (BP 2011) and a capacité de
désendettement of 4,3 years with a debt under 100 M€ (BP 2011); real 2013: 30,8 M€."""


def enveloppe_dsc(an: int) -> float:
    """Sample DSC envelope (k€): 3.2 M€ in 2008, +1 %/yr, shared among the communes by population."""
    return 3200.0 * (1.01 ** (an - 2008))


@dataclass
class Commune:
    """One synthetic commune: its persistent traits (drawn once) and its state carried from year to year."""

    code: str
    ecarts: dict[str, float]          # persistent log-normal deviation of each family (σ = SIGMA_ECARTS)
    ac_hab: float                     # attribution de compensation, €/hab of the first year (then frozen, k€)
    parts_f: np.ndarray               # functional profile of operating spending
    parts_i: np.ndarray               # functional profile of investment
    bruit: dict[str, float] = field(default_factory=lambda: {f: 0.0 for f in FAMILLES})
    ajust_impots: float = 1.0         # management feedback (see _pilotage)
    ajust_charges: float = 1.0
    dette: float | None = None        # debt and working capital at the end of the previous year (k€)
    fdr: float | None = None
    ac: float | None = None           # frozen attribution de compensation (k€)


@dataclass(frozen=True)
class Calage:
    """What every commune-year is calibrated on: populations, real strata means, the real Orléans sheet."""

    pops: pd.DataFrame
    pop_idx: pd.Series
    ratio_tot: dict[str, float]
    strates: pd.DataFrame
    profil: Profil
    aeff: pd.DataFrame

    @classmethod
    def depuis(cls, cat: Catalogue, pops: pd.DataFrame) -> "Calage":
        strates = strates_reelles(cat)
        return cls(pops, pops.set_index(["code_insee", "an"])["population"], ratio_totale_municipale(cat),
                   strates, profil_strates(strates), read_fiche_aeff(cat.fiches_aeff_orleans).set_index("an"))


def tirer_communes(rng: np.random.Generator) -> dict[str, Commune]:
    """The persistent traits of the 22 communes (drawn family by family across communes, in this order)."""
    ecarts = {c: {f: float(np.exp(rng.normal(0.0, SIGMA_ECARTS))) for f in FAMILLES} for c in CODES_INSEE}
    ac_hab = {c: float(rng.uniform(20, 90)) * ECHELLE_AC for c in CODES_INSEE}
    ac_hab.update(AC_PAR_HABITANT)
    parts_f = {c: rng.dirichlet(PROFIL_FONCT_COMMUNE * 200) for c in CODES_INSEE}
    parts_i = {c: rng.dirichlet(PROFIL_INVEST_COMMUNE * 60) for c in CODES_INSEE}
    orl = parts_f[CODE_ORLEANS]
    orl[3] += 0.04; orl[0] -= 0.04  # centralité: culture (musées, conservatoire, scène nationale)
    return {c: Commune(c, ecarts[c], ac_hab[c], parts_f[c], parts_i[c]) for c in CODES_INSEE}


def _pop1(cal: Calage, code: str, an: int) -> tuple[float, float]:
    """(pop1, population municipale) of a commune in year ``an``: municipale of N−3 × the real totale/municipale."""
    popm = float(cal.pop_idx[(code, an - 3)]) if (code, an - 3) in cal.pop_idx.index \
        else float(cal.pop_idx[(code, 2005)])
    return float(round(popm * cal.ratio_tot.get(code, 1.02))), popm


def _caler_sur_publies(communes: dict[str, Commune], cal: Calage) -> None:
    """Persistent deviations of the communes with published per-inhabitant levels (:data:`CIBLES_SARAN`): target /
    strata model at the commune's 2013 size."""
    pop1, _ = _pop1(cal, "45302", 2013)
    for famille, cible in CIBLES_SARAN.items():
        communes["45302"].ecarts[famille] = cible / niveau_modele(cal.profil, famille, pop1, 2013)


def _bruit_annuel(c: Commune, rng: np.random.Generator) -> None:
    """AR(1) yearly noise around the persistent deviation (σ 3 %, 15 % for equipment)."""
    b = c.bruit
    for f in FAMILLES:
        b[f] = 0.6 * b[f] + rng.normal(0.0, 0.03 if f != "equip" else 0.15)


def _niveau(c: Commune, cal: Calage, code_modele: str, famille: str, pop1: float, an: int) -> float:
    """Modelled €/hab of the commune's size and year × its persistent deviation × its yearly noise."""
    return niveau_modele(cal.profil, code_modele, pop1, an) * c.ecarts[famille] * np.exp(c.bruit[famille])


def _produits(c: Commune, cal: Calage, an: int, pop1: float, popm: float) -> dict:
    """Operating receipts (k€): direct taxes ``impo1``, other taxes ``impo2`` (AC and DSC included), DGF, others."""
    e, b, k, profil = c.ecarts, c.bruit, pop1 / 1000.0, cal.profil
    impo1 = _niveau(c, cal, "impo1", "impo1", pop1, an) * k
    dgf = _niveau(c, cal, "dgf", "dgf", pop1, an) * k
    if c.ac is None:
        c.ac = AC_ORLEANS if c.code == CODE_ORLEANS else c.ac_hab * popm / 1000.0
    ac = c.ac
    poids_dsc = popm / float(cal.pops[cal.pops["an"] == an]["population"].sum())
    dsc = enveloppe_dsc(an) * poids_dsc
    impo2 = (niveau_modele(profil, "impo2", pop1, an) * 0.6 * e["impo2_autres"] * np.exp(b["impo2_autres"])) * k
    residu = niveau_modele(profil, "prod", pop1, an) - niveau_modele(profil, "impo1", pop1, an) \
        - niveau_modele(profil, "impo2", pop1, an) - niveau_modele(profil, "dgf", pop1, an)
    autres_prod = max(residu * (1 - PART_AC_RESIDU), 60.0) * e["autres_prod"] * np.exp(b["autres_prod"]) * k + ac + dsc
    if c.code == CODE_ORLEANS:  # Orléans: levels of its real 2013 sheet carried by the time index; its real
        # impo2 (6,4 M€) cannot hold its 28,2 M€ AC: the AC and DSC sit in the other receipts of the real sheet
        r13 = cal.aeff.loc[2013]
        s = pop1 / float(r13["pop1"])
        impo1 = r13["impo1"] * s * indice("impo1", an) * np.exp(b["impo1"])
        dgf = r13["dgf"] * s * indice("dgf", an) * np.exp(b["dgf"])
        impo2 = r13["impo2"] * s * indice("impo2", an)
        dsc13 = enveloppe_dsc(2013) * poids_dsc
        autres_prod = (r13["prod"] - r13["impo1"] - r13["impo2"] - r13["dgf"] - AC_ORLEANS - dsc13) * s \
            * indice("autres_prod", an) + ac + dsc
    impo1 *= c.ajust_impots
    return dict(impo1=impo1, impo2=impo2, dgf=dgf, autres_prod=autres_prod, ac=ac, dsc=dsc)


def _charges(c: Commune, cal: Calage, an: int, pop1: float) -> dict:
    """Current operating charges (k€): personnel, purchases, contingents, subsidies."""
    b, k = c.bruit, pop1 / 1000.0
    perso = _niveau(c, cal, "perso", "perso", pop1, an) * k
    achat = _niveau(c, cal, "achat", "achat", pop1, an) * k
    cont = _niveau(c, cal, "cont", "cont", pop1, an) * k
    subv = _niveau(c, cal, "subv", "subv", pop1, an) * k
    if c.code == CODE_ORLEANS:
        r13 = cal.aeff.loc[2013]
        s = pop1 / float(r13["pop1"])
        perso = r13["perso"] * s * ORLEANS_PERSO.get(an, indice("perso", an))
        achat = r13["achat"] * s * indice("achat", an) * np.exp(b["achat"])
        cont = r13["cont"] * s * indice("cont", an)
        subv = r13["subv"] * s * indice("subv", an) * np.exp(b["subv"])
    perso *= c.ajust_charges
    achat *= c.ajust_charges
    subv *= c.ajust_charges
    return dict(perso=perso, achat=achat, cont=cont, subv=subv)


def _epargne(c: Commune, cal: Calage, an: int, pop1: float, p: dict, ch: dict) -> dict:
    """Total receipts and charges, interest on last year's debt, résultat, CAF (``caf = res1 + dap``), repayment
    (debt over 13 years) and net CAF (``cafn = caf − remb``). The first year sets the opening debt and working
    capital (Orléans: its real 2013 debt per inhabitant)."""
    e, k = c.ecarts, pop1 / 1000.0
    prod = p["impo1"] + p["impo2"] + p["dgf"] + p["autres_prod"]
    dap = 0.045 * prod * e["dap"]
    if c.dette is None:
        niveau_dette = niveau_modele(cal.profil, "dette", pop1, an) * e["dette0"]
        c.dette = ORLEANS_DETTE[an - 1] if c.code == CODE_ORLEANS else niveau_dette * k
        c.fdr = 0.08 * prod
    dette0 = c.dette
    fin = dette0 * (0.042 * (0.96 ** (an - 2008)))
    autres_charges = 0.035 * prod * e["autres_charges"]
    if c.code == CODE_ORLEANS and an in ORLEANS_CAF:  # published CAF path (see ORLEANS_CAF)
        autres_charges = prod - ORLEANS_CAF[an] - (ch["perso"] + ch["achat"] + fin + ch["cont"] + ch["subv"])
    charge = ch["perso"] + ch["achat"] + fin + ch["cont"] + ch["subv"] + autres_charges + dap
    res1 = prod - charge
    caf = res1 + dap
    remb = dette0 / 13.0
    cafn = caf - remb
    return dict(prod=prod, dap=dap, dette0=dette0, fin=fin, charge=charge, res1=res1, caf=caf, remb=remb, cafn=cafn)


def _investissement(c: Commune, cal: Calage, an: int, pop1: float, ep: dict, rng: np.random.Generator) -> dict:
    """Equipment, its funding (subsidies, FCTVA 16 %, borrowing) and the debt: ``dette = dette0 + emp − remb``;
    the working capital ``fdr`` absorbs the rest. Updates the commune's carried debt and working capital."""
    k = pop1 / 1000.0
    equip = _niveau(c, cal, "equip", "equip", pop1, an) * k
    if c.code == CODE_ORLEANS and an in ORLEANS_EQUIP:
        equip = cal.aeff.loc[2013, "equip"] * pop1 / float(cal.aeff.loc[2013, "pop1"]) * ORLEANS_EQUIP[an]
    subr = _niveau(c, cal, "subr", "subr", pop1, an) * k
    fctva = 0.16 * equip * (0.9 + 0.2 * rng.random())
    autres_rec = 0.02 * equip
    besoin = equip - ep["cafn"] - subr - fctva - autres_rec
    # borrowing policy: roll over part of the repayment and fund half of the remaining need; the
    # working capital (fdr) absorbs the rest — keeps debt close to its level as real series do
    emp = float(max(0.0, ep["remb"] * (0.55 + 0.5 * rng.random()) + 0.5 * max(besoin, 0.0)))
    if c.code == CODE_ORLEANS and an in ORLEANS_DETTE:
        emp = ORLEANS_DETTE[an] - ep["dette0"] + ep["remb"]
    dette = ep["dette0"] + emp - ep["remb"]
    recinv = emp + subr + fctva + autres_rec
    depinv = equip + ep["remb"] + 0.01 * equip
    bf1 = depinv - recinv
    solde = 0.0
    bf2 = bf1 + solde
    res2 = ep["res1"] - bf2
    fdr = c.fdr + res2
    c.dette, c.fdr = dette, fdr
    return dict(equip=equip, subr=subr, fctva=fctva, emp=emp, dette=dette, recinv=recinv, depinv=depinv, bf1=bf1,
                solde=solde, bf2=bf2, res2=res2, fdr=fdr, ebf=ep["caf"] + ep["fin"], annu=ep["remb"] + ep["fin"])


def _pilotage(c: Commune, ep: dict) -> None:
    """Management feedback: a council whose gross savings rate falls below 8 % raises taxes and restrains spending
    the next year, in proportion to the gap (half the gap each, at most 5 % a year: art. L.1612-4 CGCT makes a lasting
    operating deficit untenable); above 20 % it spends more (keeps the synthetic trajectories plausible)."""
    taux_epargne = ep["caf"] / ep["prod"]
    if taux_epargne < 0.08:
        effort = min(0.08 - taux_epargne, 0.10) * 0.5
        c.ajust_impots *= 1 + max(effort, 0.015)
        c.ajust_charges *= 1 - max(effort, 0.0075)
    elif taux_epargne > 0.20:
        c.ajust_charges *= 1.01


def _fiscalite(code: str, impo1: float, rng: np.random.Generator) -> dict:
    """Local taxes: voted rates (taux votés), products split TH 50 % / TFB 48 % / TFNB 2 % (TFB share and rate of
    :data:`PARTS_FB`, :data:`TAUX_FB` where published), bases = product / rate."""
    tth, tfb, tfnb = (rng.uniform(14, 22), rng.uniform(18, 30), rng.uniform(40, 80))
    tfb = TAUX_FB.get(code, tfb)
    part_fb = PARTS_FB.get(code, 0.48)
    pfb = impo1 * part_fb
    pfnb = impo1 * 0.02
    pth = impo1 - pfb - pfnb
    return dict(tth=tth, tfb=tfb, tfnb=tfnb, pth=pth, pfb=pfb, pfnb=pfnb,
                bth=pth / tth * 100, bfb=pfb / tfb * 100, bfnb=pfnb / tfnb * 100)


def _moyennes(row: dict, strates: pd.DataFrame, profil: Profil, strate: str, an: int) -> None:
    """m* = strata means: the real DGFiP means where published for this band and year, else the modelled
    mean of the band (same model as the communes, at the band's representative population)."""
    reel = strates[(strates["strate"] == strate) & (strates["an"] == an)].set_index("code")["valeur"]
    pop_rep = MILIEU_STRATE[strate]
    for code in CODES_MODELE:
        if f"m{code}" not in ENTETE_COMMUNES_2013:
            continue
        if code in reel.index:
            row[f"m{code}"] = float(reel[code])
        else:
            row[f"m{code}"] = round(niveau_modele(profil, code, pop_rep, an))
    m = {c: row.get(f"m{c}") for c in DENOMINATEURS_RATIOS.values()}
    for x, d in DENOMINATEURS_RATIOS.items():
        if f"m{x}" in row and m.get(d):
            row[f"rm{x}"] = row[f"m{x}"] / m[d] * 100


def _ligne_dgfip(code: str, an: int, pop1: float, strate: str, cal: Calage, p: dict, ch: dict, ep: dict,
                 inv: dict, fi: dict) -> dict:
    """One row of the DGFiP file: amounts rounded to 0.01 k€ (identities kept exact after rounding),
    ``fX = X × 1000 / pop1``, ``rX = X / D × 100`` (DGFiP denominators), strata means."""
    montants = dict(prod=ep["prod"], impo1=p["impo1"], impo2=p["impo2"], dgf=p["dgf"], charge=ep["charge"],
                    perso=ch["perso"], achat=ch["achat"], fin=ep["fin"], cont=ch["cont"], subv=ch["subv"],
                    res1=ep["res1"], pth=fi["pth"], pfb=fi["pfb"], pfnb=fi["pfnb"], recinv=inv["recinv"],
                    emp=inv["emp"], subr=inv["subr"], fctva=inv["fctva"], raff=0.0, depinv=inv["depinv"],
                    equip=inv["equip"], remb=ep["remb"], repart=0.0, daff=0.0, bf1=inv["bf1"], solde=inv["solde"],
                    bf2=inv["bf2"], res2=inv["res2"], ebf=inv["ebf"], caf=ep["caf"], cafn=ep["cafn"],
                    dette=inv["dette"], annu=inv["annu"], fdr=inv["fdr"], bth=fi["bth"], bfb=fi["bfb"],
                    bfnb=fi["bfnb"], pcfe=0.0, cvaec=0.0, iferc=0.0, tascomc=0.0)
    if an >= 2017:
        montants.update(pfcaf=ep["prod"] - 0.01 * ep["prod"], cfcaf=ep["charge"] - ep["dap"], encdbr=inv["dette"])
    montants = {c: float(arrondi(v)) for c, v in montants.items()}
    # keep the printed identities exact after rounding
    montants["res1"] = round(montants["prod"] - montants["charge"], 2)
    montants["cafn"] = round(montants["caf"] - montants["remb"], 2)
    row: dict[str, object] = {"an": str(an), "dep": "045", "icom": code[2:], "inom": inom(code),
                              "reg": "024", "pop1": pop1, "nomsst1": strate, "nomsst2": REGIME_FPU,
                              "tth": round(fi["tth"], 2), "tfb": round(fi["tfb"], 2), "tfnb": round(fi["tfnb"], 2)}
    row.update(montants)
    for c, v in montants.items():
        row[f"f{c}"] = v * 1000.0 / pop1
    for x, d in DENOMINATEURS_RATIOS.items():
        if x in montants and montants[d]:
            row[f"r{x}"] = montants[x] / montants[d] * 100
    _moyennes(row, cal.strates, cal.profil, strate, an)
    return row


def generer_communes(cat: Catalogue, rng: np.random.Generator, pops: pd.DataFrame
                     ) -> tuple[dict[int, list[dict]], list[dict], list[tuple]]:
    """Every commune-year: the DGFiP rows by year, the AC/DSC flows, the spending by function.

    ``pop1`` of year N = population municipale of year N−3 (the légale population in force on 1 January N)
    × the commune's real totale/municipale ratio.
    """
    cal = Calage.depuis(cat, pops)
    communes = tirer_communes(rng)
    _caler_sur_publies(communes, cal)
    lignes: dict[int, list[dict]] = {a: [] for a in ANNEES}
    flux: list[dict] = []
    fonctions: list[tuple] = []
    for an in ANNEES:
        for code in CODES_INSEE:
            c = communes[code]
            pop1, popm = _pop1(cal, code, an)
            strate = strate_dgfip(pop1)
            _bruit_annuel(c, rng)
            p = _produits(c, cal, an, pop1, popm)
            ch = _charges(c, cal, an, pop1)
            ep = _epargne(c, cal, an, pop1, p, ch)
            inv = _investissement(c, cal, an, pop1, ep, rng)
            _pilotage(c, ep)
            fi = _fiscalite(code, p["impo1"], rng)
            lignes[an].append(_ligne_dgfip(code, an, pop1, strate, cal, p, ch, ep, inv, fi))
            flux.append({"code_insee": code, "an": an, "attribution_compensation": round(p["ac"], 2),
                         "dsc": round(p["dsc"], 2)})
            if code == CODE_ORLEANS and an in cal.aeff.index:
                # the real sheet replaces this row at build time: split the REAL totals so that spending by
                # function adds up to the accounts the reports show
                r = cal.aeff.loc[an]
                fonctions += ventiler(code, an, float(r["charge"]), c.parts_f, float(r["depinv"]),
                                      float(r["remb"]), c.parts_i, rng)
            else:
                fonctions += ventiler(code, an, ep["charge"], c.parts_f, inv["depinv"], ep["remb"], c.parts_i, rng)
    return lignes, flux, fonctions
