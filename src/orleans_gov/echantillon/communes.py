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
AC_PAR_HABITANT = {"45302": 420.0, "45284": 160.0, "45147": 120.0, "45285": 70.0, "45169": 110.0, "45234": 15.0}


def enveloppe_dsc(an: int) -> float:
    """Sample DSC envelope (k€): 3.2 M€ in 2008, +1 %/yr, shared among the communes by population."""
    return 3200.0 * (1.01 ** (an - 2008))


@dataclass
class Commune:
    """One synthetic commune: its persistent traits (drawn once) and its state carried from year to year."""

    code: str
    ecarts: dict[str, float]          # persistent log-normal deviation of each family (σ ≈ 12 %)
    ac_hab: float                     # attribution de compensation, €/hab
    parts_f: np.ndarray               # functional profile of operating spending
    parts_i: np.ndarray               # functional profile of investment
    bruit: dict[str, float] = field(default_factory=lambda: {f: 0.0 for f in FAMILLES})
    ajust_impots: float = 1.0         # management feedback (see _pilotage)
    ajust_charges: float = 1.0
    dette: float | None = None        # debt and working capital at the end of the previous year (k€)
    fdr: float | None = None


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
    ecarts = {c: {f: float(np.exp(rng.normal(0.0, 0.12))) for f in FAMILLES} for c in CODES_INSEE}
    ac_hab = {c: float(rng.uniform(20, 90)) for c in CODES_INSEE}
    ac_hab.update(AC_PAR_HABITANT)
    parts_f = {c: rng.dirichlet(PROFIL_FONCT_COMMUNE * 200) for c in CODES_INSEE}
    parts_i = {c: rng.dirichlet(PROFIL_INVEST_COMMUNE * 60) for c in CODES_INSEE}
    orl = parts_f[CODE_ORLEANS]
    orl[3] += 0.04; orl[0] -= 0.04  # centralité: culture (musées, conservatoire, scène nationale)
    return {c: Commune(c, ecarts[c], ac_hab[c], parts_f[c], parts_i[c]) for c in CODES_INSEE}


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
    ac = c.ac_hab * popm / 1000.0
    poids_dsc = popm / float(cal.pops[cal.pops["an"] == an]["population"].sum())
    dsc = enveloppe_dsc(an) * poids_dsc
    impo2 = (niveau_modele(profil, "impo2", pop1, an) * 0.6 * e["impo2_autres"] * np.exp(b["impo2_autres"])) * k + ac + dsc
    autres_prod = max(niveau_modele(profil, "prod", pop1, an) - niveau_modele(profil, "impo1", pop1, an)
                      - niveau_modele(profil, "impo2", pop1, an) - niveau_modele(profil, "dgf", pop1, an), 60.0) \
        * e["autres_prod"] * np.exp(b["autres_prod"]) * k
    if c.code == CODE_ORLEANS:  # Orléans: levels of its real 2013 sheet carried by the time index
        r13 = cal.aeff.loc[2013]
        s = pop1 / float(r13["pop1"])
        impo1 = r13["impo1"] * s * indice("impo1", an) * np.exp(b["impo1"])
        dgf = r13["dgf"] * s * indice("dgf", an) * np.exp(b["dgf"])
        impo2 = (r13["impo2"] - 1729.0) * s * indice("impo2", an) + ac + dsc
        autres_prod = (r13["prod"] - r13["impo1"] - r13["impo2"] - r13["dgf"]) * s * indice("autres_prod", an)
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
        perso = r13["perso"] * s * indice("perso", an) * np.exp(b["perso"])
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
        niveau_dette = cal.aeff.loc[2013, "dette"] / cal.aeff.loc[2013, "pop1"] * 1000 if c.code == CODE_ORLEANS \
            else niveau_modele(cal.profil, "dette", pop1, an) * e["dette0"]
        c.dette = niveau_dette * k
        c.fdr = 0.08 * prod
    dette0 = c.dette
    fin = dette0 * (0.042 * (0.96 ** (an - 2008)))
    autres_charges = 0.035 * prod * e["autres_charges"]
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
    subr = _niveau(c, cal, "subr", "subr", pop1, an) * k
    fctva = 0.16 * equip * (0.9 + 0.2 * rng.random())
    autres_rec = 0.02 * equip
    besoin = equip - ep["cafn"] - subr - fctva - autres_rec
    # borrowing policy: roll over part of the repayment and fund half of the remaining need; the
    # working capital (fdr) absorbs the rest — keeps debt close to its level as real series do
    emp = float(max(0.0, ep["remb"] * (0.55 + 0.5 * rng.random()) + 0.5 * max(besoin, 0.0)))
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
    the next year; above 20 % it spends more (keeps the synthetic trajectories plausible)."""
    taux_epargne = ep["caf"] / ep["prod"]
    if taux_epargne < 0.08:
        c.ajust_impots *= 1.03
        c.ajust_charges *= 0.985
    elif taux_epargne > 0.20:
        c.ajust_charges *= 1.01


def _fiscalite(impo1: float, rng: np.random.Generator) -> dict:
    """Local taxes: voted rates (taux votés), products split TH 50 % / TFB 48 % / TFNB 2 %, bases = product / rate."""
    tth, tfb, tfnb = (rng.uniform(14, 22), rng.uniform(18, 30), rng.uniform(40, 80))
    part_th = 0.5
    pth = impo1 * part_th
    pfb = impo1 * 0.48
    pfnb = impo1 * 0.02
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
    lignes: dict[int, list[dict]] = {a: [] for a in ANNEES}
    flux: list[dict] = []
    fonctions: list[tuple] = []
    for an in ANNEES:
        for code in CODES_INSEE:
            c = communes[code]
            popm = float(cal.pop_idx[(code, an - 3)]) if (code, an - 3) in cal.pop_idx.index \
                else float(cal.pop_idx[(code, 2005)])
            pop1 = float(round(popm * cal.ratio_tot.get(code, 1.02)))
            strate = strate_dgfip(pop1)
            _bruit_annuel(c, rng)
            p = _produits(c, cal, an, pop1, popm)
            ch = _charges(c, cal, an, pop1)
            ep = _epargne(c, cal, an, pop1, p, ch)
            inv = _investissement(c, cal, an, pop1, ep, rng)
            _pilotage(c, ep)
            fi = _fiscalite(p["impo1"], rng)
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
