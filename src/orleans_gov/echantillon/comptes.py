"""The sample: synthetic accounts for what no reachable open file holds, in the exact official formats.

**Synthetic data, labelled as such everywhere** (``provenance = "exemple"``; banner « Données d'exemple — ne
pas diffuser »). Generated from a fixed seed (:data:`GRAINE`): regenerating gives byte-identical files.

What it writes under ``<data>/raw/sample/``:
- ``dgfip/communes/comptes-individuels-communes_<an>_exemple.csv`` — DGFiP « comptes individuels des communes »
  layout (2013–2015 header for 2008–2016, 2017 header from 2017), 22 communes, 2008–2023;
- ``dgfip/gfp/comptes-individuels-gfp_<an>_exemple.csv`` — DGFiP GFP layout, the agglomeration, 2008–2023;
- ``flux_agglo_communes.csv`` — attribution de compensation and DSC per commune and year (k€);
- ``depenses_par_fonction.csv`` — spending by M14 function × section per entity and year (k€), the tidy
  layout a collection workbook yields.

Calibration (all documented in code):
- populations: real INSEE figures (census vintages 2016, 2019, 2020, 2022, 2023 for the 22 communes, 2013–2023
  for the six largest), linearly interpolated between vintages and extrapolated before the first with the
  commune's observed growth; ``pop1`` of year N = population municipale of vintage N−3 (the légale population
  in force on 1 January N) × the commune's real totale/municipale ratio (DGCL list of EPCI members);
- per-inhabitant levels: real DGFiP strata means (``dgfip-moyennes-de-strate_communes.csv``) interpolated in
  log(population) between the bands that have real means, with commune-specific persistent deviations
  (log-normal, σ ≈ 12 %) and yearly dynamics of each family (DGF cut 2014–2017, personnel growth, the
  investment electoral cycle…); Orléans is calibrated on its real 2013 sheet;
- the agglomeration: budget principal + budgets annexes calibrated on the real OFGL aggregates 2014–2017;
- accounting identities of real files hold: res1 = prod − charge, cafn = caf − remb,
  dette(t) = dette(t−1) + emp − remb, f* = X × 1000 / pop1, r* with the DGFiP denominators, m* = strata means,
  Σ(AC + DSC) = − revtot.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.sources.dgfip import (DENOMINATEURS_RATIOS, ENTETE_COMMUNES_2013, ENTETE_COMMUNES_2017, ENTETE_GFP,
                            read_fiche_aeff)
from orleans_gov.sources.referentiel import read_moyennes_strates, read_ofgl_investissement
from orleans_gov.base.territoire import COMMUNES, CODE_ORLEANS, REGIME_FPU, SIREN_AGGLO, CODES_INSEE, strate_dgfip

GRAINE = 20140330  # first round of the 2014 municipal elections: the mandate the mission serves
ANNEES = tuple(range(2008, 2024))
ANNEE_CALAGE = 2013

from orleans_gov.base.nomenclatures import FONCTIONS_M14  # noqa: E402  (single definition)

# Typical M14 functional profile of communal operating spending (shares), and of the agglomeration's
# (transport, waste, water are function 8; economic development 9). Orders of magnitude from DGCL
# « Les collectivités locales en chiffres » (dépenses par fonction des communes de plus de 3 500 hab.);
# used only to shape the synthetic split.
PROFIL_FONCT_COMMUNE = np.array([0.31, 0.04, 0.15, 0.08, 0.11, 0.07, 0.06, 0.01, 0.15, 0.02])
PROFIL_INVEST_COMMUNE = np.array([0.14, 0.03, 0.17, 0.10, 0.15, 0.03, 0.05, 0.03, 0.28, 0.02])
PROFIL_FONCT_AGGLO = np.array([0.14, 0.04, 0.02, 0.05, 0.05, 0.03, 0.00, 0.04, 0.55, 0.08])
PROFIL_INVEST_AGGLO = np.array([0.06, 0.02, 0.02, 0.05, 0.06, 0.02, 0.00, 0.06, 0.61, 0.10])

# Band anchors: (representative population, band label, year of the real means used)
ANCRES = [
    (350, "communes de 250 à 500 hab", 2012),
    (4200, "communes de 3 500 à 5 000 hab", 2013),
    (7000, "communes de 5 000 à 10 000 hab", 2011),
    (14000, "communes de 10 000 à 20 000 hab", 2013),
    (150000, "communes de plus de 100 000 hab", 2013),
]
MILIEU_STRATE = {
    "communes de moins de 250 hab": 150, "communes de 250 à 500 hab": 350, "communes de 500 à 2 000 hab": 1000,
    "communes de 2 000 à 3 500 hab": 2650, "communes de 3 500 à 5 000 hab": 4200,
    "communes de 5 000 à 10 000 hab": 7000, "communes de 10 000 à 20 000 hab": 14000,
    "communes de 20 000 à 50 000 hab": 31600, "communes de 50 000 à 100 000 hab": 70700,
    "communes de plus de 100 000 hab": 150000,
}
CODES_MODELE = ["prod", "impo1", "impo2", "dgf", "charge", "perso", "achat", "fin", "cont", "subv",
                "equip", "subr", "fctva", "dette", "caf", "emp", "remb", "recinv", "depinv", "res1", "ebf",
                "cafn", "annu", "fdr"]
_SANS_TENDANCE = ("emp", "remb", "caf", "dette", "recinv", "depinv", "res1", "ebf", "cafn", "annu", "fdr")


def _croissance(code: str, an: int) -> float:
    """Yearly growth rate of a family between year an−1 and an (documented sample dynamics)."""
    if code == "dgf":
        if 2014 <= an <= 2017:
            return {2014: -0.035, 2015: -0.09, 2016: -0.09, 2017: -0.05}[an]
        return 0.005 if an < 2014 else -0.005
    if code == "perso":
        if an == 2014:
            return 0.035   # rythmes scolaires, revalorisation catégorie C
        if an in (2022, 2023):
            return 0.045   # point d'indice +3,5 % (07/2022) et +1,5 % (07/2023)
        return 0.025 if an < 2014 else 0.012
    if code == "achat":
        return {2022: 0.09, 2023: 0.05}.get(an, 0.012)
    if code == "fin":
        return -0.04
    if code == "impo1":
        return 0.03    # bases revalued by the finance law + physical growth, occasional rate rises
    return {"impo2": 0.015, "autres_prod": 0.015, "subv": 0.005, "cont": 0.01, "autres_charges": 0.01,
            "subr": 0.0, "fctva": 0.0}.get(code, 0.0)


CYCLE_EQUIPEMENT = {2008: 0.70, 2009: 0.78, 2010: 0.82, 2011: 0.86, 2012: 0.93, 2013: 1.0, 2014: 0.72,
                    2015: 0.66, 2016: 0.74, 2017: 0.82, 2018: 0.92, 2019: 1.02, 2020: 0.76, 2021: 0.80,
                    2022: 0.88, 2023: 0.95}
"""Investment electoral cycle (index, 2013 = 1): peak the year before the municipal elections (2013, 2019),
trough in the first years of a mandate."""


def _indice(code: str, an: int) -> float:
    """Cumulated index of a family relative to 2013."""
    if code in ("equip",):
        return CYCLE_EQUIPEMENT[an]
    v = 1.0
    if an >= ANNEE_CALAGE:
        for a in range(ANNEE_CALAGE + 1, an + 1):
            v *= 1 + _croissance(code, a)
    else:
        for a in range(an + 1, ANNEE_CALAGE + 1):
            v /= 1 + _croissance(code, a)
    return v


# ---------------------------------------------------------------------------------------------------
def populations_annuelles(cat: Catalogue, annees=range(2005, 2024)) -> pd.DataFrame:
    """Population municipale of each commune for every year: real INSEE vintages, then interpolation/extrapolation.

    Real: census vintages of ``population-municipale_22-communes_2016-2023.csv`` and, for the six largest
    communes, the INSEE population carried by the police municipale survey (2013–2023). Between real years:
    linear interpolation (``statut = "interpolée"``); before the first real year: the commune's average
    annual growth over its real series (``"extrapolée"``); after the last: held at the last value growth.
    """
    from orleans_gov.sources.referentiel import read_police_municipale, read_populations
    reel = read_populations(cat.populations)[["code_insee", "an", "population", "source"]]
    police = read_police_municipale(cat.police_serie)
    police = police.dropna(subset=["population"])
    police = pd.DataFrame({"code_insee": police["code_insee"], "an": police["an"],
                           "population": police["population"].astype("int64"),
                           "source": "INSEE population municipale, via l'enquête police municipale (Ministère de l'Intérieur)"})
    police = police.merge(reel[["code_insee", "an"]], how="left", indicator=True)
    police = police[police["_merge"] == "left_only"].drop(columns="_merge")
    reel = pd.concat([reel, police], ignore_index=True)
    lignes = []
    for code in CODES_INSEE:
        r = reel[reel["code_insee"] == code].set_index("an").sort_index()
        ans = np.array(r.index, dtype=float)
        pops = r["population"].to_numpy(dtype=float)
        taux = (pops[-1] / pops[0]) ** (1 / (ans[-1] - ans[0])) - 1 if len(ans) > 1 else 0.0
        for a in annees:
            if a in r.index:
                lignes.append((code, a, int(r.at[a, "population"]), "recensement", str(r.at[a, "source"])))
            elif ans[0] < a < ans[-1]:
                p = float(np.interp(a, ans, pops))
                lignes.append((code, a, int(round(p)), "interpolée",
                               "interpolation linéaire entre millésimes INSEE (calcul orleans_gov)"))
            else:
                base_a, base_p = (ans[0], pops[0]) if a < ans[0] else (ans[-1], pops[-1])
                p = base_p * (1 + taux) ** (a - base_a)
                lignes.append((code, a, int(round(p)), "extrapolée",
                               f"extrapolation au taux annuel moyen observé ({taux * 100:+.2f} %/an, calcul orleans_gov)"))
    out = pd.DataFrame(lignes, columns=["code_insee", "an", "population", "statut", "source"])
    out["code_insee"] = out["code_insee"].astype("string")
    out["statut"] = out["statut"].astype("string")
    out["source"] = out["source"].astype("string")
    return out


def _ratio_totale_municipale(cat: Catalogue) -> dict[str, float]:
    m = pd.read_csv(cat.membres_epci, dtype={"membre_code_insee": str, "package_version": str})
    m = m.dropna(subset=["membre_population_totale", "membre_population_municipale"])
    m = m[m["package_version"] == m["package_version"].max()]
    return {r.membre_code_insee: r.membre_population_totale / r.membre_population_municipale for r in m.itertuples()}


def _strates_reelles(cat: Catalogue) -> pd.DataFrame:
    s = read_moyennes_strates(cat.moyennes_strate)
    return s[(s["regime"] == REGIME_FPU) & (s["unite"] == "€/hab")]


def _profil_anchor(strates: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per code: (log10 population of the anchors, 2013-equivalent strata mean) for interpolation."""
    out = {}
    for code in CODES_MODELE:
        xs, ys = [], []
        for pop, strate, an in ANCRES:
            v = strates[(strates["strate"] == strate) & (strates["an"] == an) & (strates["code"] == code)]
            if len(v):
                xs.append(np.log10(pop))
                ys.append(float(v["valeur"].iloc[0]) * _indice(code, ANNEE_CALAGE) / _indice(code, an)
                          if code != "equip" else float(v["valeur"].iloc[0]))
        out[code] = (np.array(xs), np.array(ys))
    return out


def niveau_modele(profil, code: str, population: float, an: int) -> float:
    """Modelled mean €/hab of a commune of that size in that year (log-population interpolation between
    real strata means, time index of the family)."""
    xs, ys = profil[code]
    if code in _SANS_TENDANCE:
        return float(np.interp(np.log10(population), xs, ys))
    return float(np.interp(np.log10(population), xs, ys)) * _indice(code, an)


def _arrondi(x, d=2):
    return np.round(np.asarray(x, dtype=float), d)


def _fmt(v, d: int) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if d == 0:
        return str(int(round(v)))
    return f"{v:.{d}f}"


def _decimales(col: str) -> int:
    if col in ("pop1",):
        return 0
    if col.startswith("f") and col not in ("fin", "fctva", "fdr"):
        return 0  # per-inhabitant values: euros, as the DGFiP prints them
    if col.startswith("m"):
        return 2  # strata means keep the precision of the real DGFiP means (e.g. 635.99)
    if col.startswith(("r", "t")) and col not in ("remb", "res1", "res2", "recinv", "repart", "raff", "reg"):
        return 2
    return 2


def _ecrire_csv(path: Path, entete: list[str], lignes: list[dict], vide_final: bool,
                decimales=_decimales) -> None:
    """Write an official ``;`` file: text as is, numbers with the file's precision, missing as empty."""
    path.parent.mkdir(parents=True, exist_ok=True)
    out = [";".join(entete) + (";" if vide_final else "")]
    for row in lignes:
        cells = []
        for c in entete:
            v = row.get(c)
            if isinstance(v, str):
                cells.append(v)
            else:
                cells.append(_fmt(v, decimales(c)))
        out.append(";".join(cells) + (";" if vide_final else ""))
    path.write_bytes(("\n".join(out) + "\n").encode("utf-8"))


# ---------------------------------------------------------------------------------------------------
def generer(dossier=None, graine: int = GRAINE) -> dict[str, Path]:
    """Write the whole sample under ``<data>/raw/sample`` and return the written paths by name."""
    cat = Catalogue.depuis(dossier)
    rng = np.random.default_rng(graine)
    pops = populations_annuelles(cat)
    pop_idx = pops.set_index(["code_insee", "an"])["population"]
    ratio_tot = _ratio_totale_municipale(cat)
    strates = _strates_reelles(cat)
    profil = _profil_anchor(strates)
    aeff = read_fiche_aeff(cat.fiches_aeff_orleans).set_index("an")

    # commune-specific persistent deviations (log-normal), Orléans calibrated on its real 2013 sheet
    familles = ["impo1", "impo2_autres", "dgf", "autres_prod", "perso", "achat", "fin", "cont", "subv",
                "autres_charges", "equip", "subr", "fctva", "dette0", "dap"]
    ecarts = {c: {f: float(np.exp(rng.normal(0.0, 0.12))) for f in familles} for c in CODES_INSEE}
    # Saran and Saint-Jean-de-Braye host large business parks: higher former business tax → higher AC
    ac_hab = {c: float(rng.uniform(20, 90)) for c in CODES_INSEE}
    ac_hab.update({"45302": 420.0, "45284": 160.0, "45147": 120.0, "45285": 70.0, "45169": 110.0, "45234": 15.0})

    lignes_communes: dict[int, list[dict]] = {a: [] for a in ANNEES}
    flux = []
    fonctions = []
    bruit = {c: {f: 0.0 for f in familles} for c in CODES_INSEE}
    dette_prec: dict[str, float] = {}
    fdr_prec: dict[str, float] = {}
    parts_f = {c: rng.dirichlet(PROFIL_FONCT_COMMUNE * 200) for c in CODES_INSEE}
    parts_i = {c: rng.dirichlet(PROFIL_INVEST_COMMUNE * 60) for c in CODES_INSEE}
    orl = parts_f[CODE_ORLEANS]
    orl[3] += 0.04; orl[0] -= 0.04  # centralité: culture (musées, conservatoire, scène nationale)
    # management feedback: a council whose gross savings rate falls below 8 % raises taxes and restrains
    # spending the next year; above 20 % it spends more (keeps the synthetic trajectories plausible)
    ajust_impots = {c: 1.0 for c in CODES_INSEE}
    ajust_charges = {c: 1.0 for c in CODES_INSEE}
    dsc_total = {a: 3200.0 * (1.01 ** (a - 2008)) for a in ANNEES}  # k€, sample DSC envelope

    for an in ANNEES:
        for code in CODES_INSEE:
            popm = float(pop_idx[(code, an - 3)]) if (code, an - 3) in pop_idx.index else float(pop_idx[(code, 2005)])
            pop1 = float(round(popm * ratio_tot.get(code, 1.02)))
            strate = strate_dgfip(pop1)
            e = ecarts[code]
            b = bruit[code]
            for f in familles:  # AR(1) yearly noise around the persistent deviation
                b[f] = 0.6 * b[f] + rng.normal(0.0, 0.03 if f != "equip" else 0.15)
            k = pop1 / 1000.0  # € / hab -> k€

            def niv(c_modele, famille):
                return niveau_modele(profil, c_modele, pop1, an) * e[famille] * np.exp(b[famille])

            impo1 = niv("impo1", "impo1") * k
            dgf = niv("dgf", "dgf") * k
            ac = ac_hab[code] * popm / 1000.0
            poids_dsc = popm / float(pops[pops["an"] == an]["population"].sum())
            dsc = dsc_total[an] * poids_dsc
            impo2 = (niveau_modele(profil, "impo2", pop1, an) * 0.6 * e["impo2_autres"] * np.exp(b["impo2_autres"])) * k + ac + dsc
            autres_prod = max(niveau_modele(profil, "prod", pop1, an) - niveau_modele(profil, "impo1", pop1, an)
                              - niveau_modele(profil, "impo2", pop1, an) - niveau_modele(profil, "dgf", pop1, an), 60.0) \
                * e["autres_prod"] * np.exp(b["autres_prod"]) * k
            perso = niv("perso", "perso") * k
            achat = niv("achat", "achat") * k
            cont = niv("cont", "cont") * k
            subv = niv("subv", "subv") * k
            if code == CODE_ORLEANS:  # Orléans: levels of its real 2013 sheet carried by the time index
                r13 = aeff.loc[2013]
                s = pop1 / float(r13["pop1"])
                impo1 = r13["impo1"] * s * _indice("impo1", an) * np.exp(b["impo1"])
                dgf = r13["dgf"] * s * _indice("dgf", an) * np.exp(b["dgf"])
                impo2 = (r13["impo2"] - 1729.0) * s * _indice("impo2", an) + ac + dsc
                autres_prod = (r13["prod"] - r13["impo1"] - r13["impo2"] - r13["dgf"]) * s * _indice("autres_prod", an)
                perso = r13["perso"] * s * _indice("perso", an) * np.exp(b["perso"])
                achat = r13["achat"] * s * _indice("achat", an) * np.exp(b["achat"])
                cont = r13["cont"] * s * _indice("cont", an)
                subv = r13["subv"] * s * _indice("subv", an) * np.exp(b["subv"])
            impo1 *= ajust_impots[code]
            perso *= ajust_charges[code]
            achat *= ajust_charges[code]
            subv *= ajust_charges[code]
            prod = impo1 + impo2 + dgf + autres_prod
            dap = 0.045 * prod * e["dap"]
            if code not in dette_prec:
                niveau_dette = aeff.loc[2013, "dette"] / aeff.loc[2013, "pop1"] * 1000 if code == CODE_ORLEANS \
                    else niveau_modele(profil, "dette", pop1, an) * e["dette0"]
                dette_prec[code] = niveau_dette * k
                fdr_prec[code] = 0.08 * prod
            dette0 = dette_prec[code]
            fin = dette0 * (0.042 * (0.96 ** (an - 2008)))
            autres_charges = 0.035 * prod * e["autres_charges"]
            charge = perso + achat + fin + cont + subv + autres_charges + dap
            res1 = prod - charge
            caf = res1 + dap
            remb = dette0 / 13.0
            cafn = caf - remb
            equip = niv("equip", "equip") * k
            subr = niv("subr", "subr") * k
            fctva = 0.16 * equip * (0.9 + 0.2 * rng.random())
            autres_rec = 0.02 * equip
            besoin = equip - cafn - subr - fctva - autres_rec
            # borrowing policy: roll over part of the repayment and fund half of the remaining need; the
            # working capital (fdr) absorbs the rest — keeps debt close to its level as real series do
            emp = float(max(0.0, remb * (0.55 + 0.5 * rng.random()) + 0.5 * max(besoin, 0.0)))
            dette = dette0 + emp - remb
            recinv = emp + subr + fctva + autres_rec
            depinv = equip + remb + 0.01 * equip
            bf1 = depinv - recinv
            solde = 0.0
            bf2 = bf1 + solde
            res2 = res1 - bf2
            fdr = fdr_prec[code] + res2
            ebf = caf + fin
            annu = remb + fin
            dette_prec[code], fdr_prec[code] = dette, fdr
            taux_epargne = caf / prod
            if taux_epargne < 0.08:
                ajust_impots[code] *= 1.03
                ajust_charges[code] *= 0.985
            elif taux_epargne > 0.20:
                ajust_charges[code] *= 1.01
            # taxes: bases and rates (taux votés), products = base × taux
            tth, tfb, tfnb = (rng.uniform(14, 22), rng.uniform(18, 30), rng.uniform(40, 80))
            part_th = 0.5
            pth = impo1 * part_th
            pfb = impo1 * 0.48
            pfnb = impo1 * 0.02
            montants = dict(prod=prod, impo1=impo1, impo2=impo2, dgf=dgf, charge=charge, perso=perso, achat=achat,
                            fin=fin, cont=cont, subv=subv, res1=res1, pth=pth, pfb=pfb, pfnb=pfnb, recinv=recinv,
                            emp=emp, subr=subr, fctva=fctva, raff=0.0, depinv=depinv, equip=equip, remb=remb,
                            repart=0.0, daff=0.0, bf1=bf1, solde=solde, bf2=bf2, res2=res2, ebf=ebf, caf=caf,
                            cafn=cafn, dette=dette, annu=annu, fdr=fdr,
                            bth=pth / tth * 100, bfb=pfb / tfb * 100, bfnb=pfnb / tfnb * 100,
                            pcfe=0.0, cvaec=0.0, iferc=0.0, tascomc=0.0)
            if an >= 2017:
                montants.update(pfcaf=prod - 0.01 * prod, cfcaf=charge - dap, encdbr=dette)
            montants = {c: float(_arrondi(v)) for c, v in montants.items()}
            # keep the printed identities exact after rounding
            montants["res1"] = round(montants["prod"] - montants["charge"], 2)
            montants["cafn"] = round(montants["caf"] - montants["remb"], 2)
            row: dict[str, object] = {"an": str(an), "dep": "045", "icom": code[2:], "inom": _inom(code),
                                      "reg": "024", "pop1": pop1, "nomsst1": strate, "nomsst2": REGIME_FPU,
                                      "tth": round(tth, 2), "tfb": round(tfb, 2), "tfnb": round(tfnb, 2)}
            row.update(montants)
            for c, v in montants.items():
                row[f"f{c}"] = v * 1000.0 / pop1
            for x, d in DENOMINATEURS_RATIOS.items():
                if x in montants and montants[d]:
                    row[f"r{x}"] = montants[x] / montants[d] * 100
            _moyennes(row, strates, profil, strate, an)
            lignes_communes[an].append(row)
            flux.append({"code_insee": code, "an": an, "attribution_compensation": round(ac, 2),
                         "dsc": round(dsc, 2)})
            if code == CODE_ORLEANS and an in aeff.index:
                # the real sheet replaces this row at build time: split the REAL totals so that spending by
                # function adds up to the accounts the reports show
                r = aeff.loc[an]
                fonctions += _ventiler(code, an, float(r["charge"]), parts_f[code], float(r["depinv"]),
                                       float(r["remb"]), parts_i[code], rng)
            else:
                fonctions += _ventiler(code, an, charge, parts_f[code], depinv, remb, parts_i[code], rng)

    # the real Orléans rows replace nothing here: they are merged at build time (real wins); the sample
    # still covers every year so that a client without the real sheet gets a complete series.
    chemins: dict[str, Path] = {}
    for an, lignes in lignes_communes.items():
        entete = ENTETE_COMMUNES_2013 if an < 2017 else ENTETE_COMMUNES_2017
        p = cat.dgfip_communes_sample / f"comptes-individuels-communes_{an}_exemple.csv"
        _ecrire_csv(p, entete, lignes, vide_final=an < 2017)
        chemins[f"communes_{an}"] = p

    flux_df = pd.DataFrame(flux)
    chemins.update(_generer_gfp(cat, rng, flux_df, pops, fonctions))
    flux_df["provenance"] = "exemple"
    p = cat.flux_sample
    p.parent.mkdir(parents=True, exist_ok=True)
    flux_df.sort_values(["an", "code_insee"]).to_csv(p, index=False, float_format="%.2f", lineterminator="\n")
    chemins["flux"] = p
    fdf = pd.DataFrame(fonctions, columns=["entite", "an", "fonction", "libelle_fonction", "section", "montant"])
    fdf["provenance"] = "exemple"
    p = cat.depenses_fonction_sample
    fdf.sort_values(["entite", "an", "section", "fonction"]).to_csv(p, index=False, float_format="%.2f",
                                                                     lineterminator="\n")
    chemins["depenses_fonction"] = p
    (cat.sample / "LISEZMOI.md").write_text(
        "# Données d'exemple — ne pas diffuser\n\n"
        "Fichiers **synthétiques** écrits par `orleans-gov echantillon` (module `orleans_gov.echantillon`, graine "
        f"{graine}) aux formats officiels DGFiP, calés sur les moyennes de strate réelles et les populations réelles.\n"
        "Ils remplacent les comptes que ce poste ne peut pas télécharger. Un fichier réel déposé dans `raw/reel/` "
        "l'emporte toujours sur l'exemple pour la même entité et la même année.\n", encoding="utf-8")
    return chemins


def _inom(code: str) -> str:
    import unicodedata
    nom = COMMUNES[code][1].upper().replace("-", " ").replace("SAINT ", "ST ")
    return "".join(ch for ch in unicodedata.normalize("NFKD", nom) if not unicodedata.combining(ch))


def _moyennes(row: dict, strates: pd.DataFrame, profil, strate: str, an: int) -> None:
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


def _repartir(total: float, parts: np.ndarray) -> np.ndarray:
    """Split a total into rounded (0.01) parts that add up exactly to the rounded total."""
    brut = np.round(total * parts, 2)
    brut[int(np.argmax(parts))] += round(round(total, 2) - brut.sum(), 2)
    return np.round(brut, 2)


def _ventiler(entite, an, fonct, parts_f, invest, remb, parts_i, rng) -> list[tuple]:
    """Spending by M14 function: operating total split by the entity's profile; investment: debt repayment in
    function 0 (« opérations non ventilables »), the rest by the investment profile."""
    out = []
    pf = parts_f * np.exp(rng.normal(0, 0.02, 10)); pf /= pf.sum()
    for f, m in zip(FONCTIONS_M14, _repartir(fonct, pf)):
        out.append((entite, an, f, FONCTIONS_M14[f], "fonctionnement", float(m)))
    pi = parts_i * np.exp(rng.normal(0, 0.15, 10)); pi /= pi.sum()
    ventile = _repartir(round(invest, 2) - round(remb, 2), pi)
    ventile[0] = round(ventile[0] + round(remb, 2), 2)
    for f, m in zip(FONCTIONS_M14, ventile):
        out.append((entite, an, f, FONCTIONS_M14[f], "investissement", float(m)))
    return out


def _generer_gfp(cat: Catalogue, rng, flux: pd.DataFrame, pops: pd.DataFrame, fonctions: list) -> dict[str, Path]:
    """The agglomeration's GFP accounts (budget principal + budgets annexes), calibrated on real OFGL 2014."""
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
    lignes = []
    for an in ANNEES:
        ff = flux[flux["an"] == an]
        reverse = float(round(ff["attribution_compensation"].sum(), 2) + round(ff["dsc"].sum(), 2))
        mpoid = float(pops[pops["an"] == an - 3]["population"].sum()) * 1.025
        t = an - 2014
        cftot_hors = dep_fonc * (1.018 ** t) * float(np.exp(rng.normal(0, 0.015)))
        perstot = cftot_hors * 0.30 * (1.02 ** t)
        cfitot = dette_prec * 0.033 * (0.97 ** (an - 2008))
        acetot = cftot_hors * 0.42
        suvftot = cftot_hors * 0.10
        dap = cftot_hors * 0.12
        autres_c = cftot_hors - perstot - acetot - suvftot - dap
        cftot = perstot + acetot + cfitot + suvftot + autres_c + dap
        # receipts net of fiscalité reversée (revtot < 0)
        brut = rec_fonc * (1.02 ** t) * float(np.exp(rng.normal(0, 0.015)))
        dgftot = brut * 0.16 * ((0.93 ** max(0, min(an, 2017) - 2013)))
        iltot = brut * 0.52
        aittot = brut * 0.12
        revtot = -reverse
        pftot = iltot + revtot + aittot + dgftot + (brut - iltot - aittot - dgftot) * 0.95 + reverse * 0.0
        rtot = pftot - cftot
        caftot = rtot + dap
        edettot = dette_prec / 18.0
        cafntot = caftot - edettot
        detot = equip_2014 * CYCLE_EQUIPEMENT[an] / CYCLE_EQUIPEMENT[2014] * float(np.exp(rng.normal(0, 0.1)))
        subvitot = 0.18 * detot
        fattot = 0.15 * detot
        rdettot = max(0.0, edettot * (0.45 + 0.4 * rng.random()) + 0.5 * max(detot - cafntot - subvitot - fattot, 0.0))
        entot = dette_prec + rdettot - edettot
        ritot = rdettot + subvitot + fattot
        eitot = detot + edettot
        antot = edettot + cfitot
        dette_prec = entot
        m = dict(pftot=pftot, iltot=iltot, revtot=revtot, aittot=aittot, dgftot=dgftot, cftot=cftot,
                 perstot=perstot, acetot=acetot, cfitot=cfitot, suvftot=suvftot, rtot=rtot, ritot=ritot,
                 rdettot=rdettot, subvitot=subvitot, fattot=fattot, eitot=eitot, detot=detot, edettot=edettot,
                 caftot=caftot, cafntot=cafntot, entot=entot, antot=antot)
        m = {k: round(float(v), 2) for k, v in m.items()}
        m["revtot"] = -round(reverse, 2)
        m["rtot"] = round(m["pftot"] - m["cftot"], 2)
        m["cafntot"] = round(m["caftot"] - m["edettot"], 2)
        row: dict[str, object] = {"mpoid": mpoid, "lbudg": "CA ORLEANS VAL DE LOIRE", "exer": str(an),
                                  "nbbaspic": 4.0, "nbtotba": 4.0, "siren": SIREN_AGGLO}
        row.update(m)
        for c, v in m.items():
            row[f"{c}hab"] = v * 1000.0 / mpoid
        for c in ("pftot", "cftot", "perstot", "detot", "entot", "caftot"):
            row[f"r{c}"] = float(np.clip(part_ba * (1 + rng.normal(0, 0.05)), 0, 100))
        if an >= 2011:
            pcfe2 = iltot * 0.45
            row.update(pcfe2=round(pcfe2, 2), cvaeg=round(iltot * 0.30, 2), iferg=round(iltot * 0.01, 2),
                       tascomg=round(iltot * 0.04, 2), tcfe2=26.55)
            row["fpcfe2"] = row["pcfe2"] * 1000 / mpoid
            row["fcvaeg"] = row["cvaeg"] * 1000 / mpoid
        lignes.append(row)
        fonctions += _ventiler(SIREN_AGGLO, an, m["cftot"], parts_f, m["eitot"], m["edettot"], parts_i, rng)
        p = cat.dgfip_gfp_sample / f"comptes-individuels-gfp_{an}_exemple.csv"
        _ecrire_csv(p, ENTETE_GFP, [row], vide_final=False, decimales=_decimales_gfp)
        chemins[f"gfp_{an}"] = p
    return chemins


def _decimales_gfp(col: str) -> int:
    """GFP file: per-inhabitant values and ``mpoid`` in units, amounts and shares with 2 decimals."""
    return 0 if col.endswith("hab") or col.startswith("f") or col == "mpoid" else 2


def empreinte(dossier=None) -> str:
    """sha256 over every file this generator writes (sorted by path): proves byte-identical regeneration."""
    cat = Catalogue.depuis(dossier)
    h = hashlib.sha256()
    for p in sorted(cat.sample.rglob("*")):
        if p.is_file() and "collecte" not in p.relative_to(cat.sample).parts:  # workbooks: see collecte
            h.update(p.relative_to(cat.sample).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()
