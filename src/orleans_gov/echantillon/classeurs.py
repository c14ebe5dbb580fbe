"""Sample (synthetic) filled collection workbooks for the 23 entities — « Données d'exemple ».

The real staff figures of the communes are not open data: until the communes return their workbooks, the
suite runs on FILLED sample workbooks generated here from a fixed seed, and imported through the real import
path (so the sample exercises exactly the code a returned workbook goes through). Every workbook is marked
« Données d'exemple — ne pas diffuser » in its Identité sheet and the imported rows carry
``provenance = "exemple"``.

Consistency with the rest of the sample:
- total FTE × cost per FTE = the personnel charges of the reference year as they stand in the accounts the
  build reads (``perso`` of the communes — the real DGFiP sheet for Orléans 2013 —, ``perstot`` of the
  agglomeration), through the same reader and precedence rule (:mod:`orleans_gov.sources.comptes`);
- spending by policy = the sample table ``raw/sample/depenses_par_fonction.csv`` (not re-invented);
- AC and DSC = the sample table ``raw/sample/flux_agglo_communes.csv``;
- police municipale agents: the real Ministère de l'Intérieur series for the six communes it covers (year of
  reference), the real December 2023 survey for the others (an approximation for earlier years).

Calibration assumptions (APPROXIMATE, sample only, orders of magnitude): the structure of communal staff by
filière, catégorie and statut follows the national shares published by the DGCL in « Les collectivités
locales en chiffres » (chapter « La fonction publique territoriale », around 2013: filière technique close to
half of the staff, administrative about a fifth, catégorie C about three quarters, non-titulaires about a
fifth); the yearly cost of one FTE (salary and employer contributions) by catégorie is a round figure of the
same order as the DGCL/INSEE average pay of territorial agents, loaded with employer contributions. None of
these numbers describes a real commune.
"""
from __future__ import annotations

import math
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.territoire import CODES_INSEE, COMMUNES, ENTITES, SIREN_AGGLO
from orleans_gov.echantillon.comptes import GRAINE
from orleans_gov.sources.classeurs import modele as cl
from orleans_gov.sources.classeurs import referentiels as ref
from orleans_gov.sources.comptes import comptes_communes, comptes_gfp
from orleans_gov.sources.referentiel import read_police_enquete_2023, read_police_municipale

ANNEE_EXEMPLE = 2013
VERSION_GENERATEUR = "3"  # bump when the generator changes: the sample workbooks are then regenerated

# cost of one FTE in k€ (salary + employer contributions), reference year 2013; +1.5 % a year otherwise
COUT_ETP_2013 = {"A": 62.0, "B": 46.0, "C": 36.0}
EVOLUTION_COUT = 0.015
FACTEUR_COUT_CONTRACTUEL = 0.92
FACTEUR_COUT_NON_CITES = 0.65  # emplois aidés, vacataires: lower pay

# share of FTE by filière — communes (approximate national orders of magnitude, DGCL) and agglomeration
# (waste collection, networks and administration dominate; no schools, no police municipale in 2013)
PARTS_FILIERES_COMMUNE = {
    "administrative": 0.22, "technique": 0.47, "culturelle": 0.04, "sportive": 0.02, "sociale": 0.07,
    "médico-sociale": 0.03, "police municipale": 0.0, "animation": 0.10, "incendie-secours": 0.0,
    "emplois non cités": 0.05,
}
PARTS_FILIERES_AGGLO = {
    "administrative": 0.29, "technique": 0.60, "culturelle": 0.02, "sportive": 0.02, "sociale": 0.01,
    "médico-sociale": 0.0, "police municipale": 0.0, "animation": 0.0, "incendie-secours": 0.0,
    "emplois non cités": 0.06,
}
# share of catégories A/B/C within each filière (animation has no catégorie A cadre d'emplois)
PARTS_CATEGORIES = {
    "administrative": (0.14, 0.20, 0.66), "technique": (0.04, 0.09, 0.87), "culturelle": (0.20, 0.45, 0.35),
    "sportive": (0.05, 0.60, 0.35), "sociale": (0.05, 0.10, 0.85), "médico-sociale": (0.20, 0.45, 0.35),
    "police municipale": (0.0, 0.10, 0.90), "animation": (0.0, 0.12, 0.88), "incendie-secours": (0.0, 0.0, 1.0),
    "emplois non cités": (0.04, 0.04, 0.92),
}
PARTS_CATEGORIES_AGGLO = {"administrative": (0.26, 0.26, 0.48), "technique": (0.08, 0.14, 0.78)}
# share of contractuels (FTE) by filière; « emplois non cités » are by definition outside any cadre d'emplois
PART_CONTRACTUELS = {
    "administrative": 0.14, "technique": 0.14, "culturelle": 0.30, "sportive": 0.20, "sociale": 0.15,
    "médico-sociale": 0.20, "police municipale": 0.02, "animation": 0.45, "incendie-secours": 0.0,
    "emplois non cités": 1.0,
}
# FTE per agent (part-time work)
ETP_PAR_AGENT = {"titulaire": 0.93, "contractuel": 0.78}
SEUIL_CELLULE_ETP = 0.5  # below half an FTE a filière × catégorie × statut cell is folded into the main cell

# support functions: share of the entity's FTE, minimum population to exist as such, cost of one FTE (k€, 2013)
SUPPORT = {
    "direction générale": (0.012, 0, 70.0),
    "finances": (0.022, 0, 44.0),
    "ressources humaines": (0.020, 0, 43.0),
    "informatique": (0.013, 5000, 50.0),
    "juridique et commande publique": (0.010, 3500, 50.0),
    "communication": (0.010, 3500, 45.0),
    "services techniques généraux": (0.045, 0, 36.0),
    "accueil et affaires générales": (0.035, 0, 36.0),
}


def _finances_reference(cat: Catalogue, annee: int) -> pd.DataFrame:
    """Personnel charges and population of the reference year, from the accounts the build reads (real rows
    winning over the sample: :mod:`orleans_gov.sources.comptes`)."""
    fc = comptes_communes(cat)
    fc = fc[fc["an"] == annee]
    fa = comptes_gfp(cat)
    fa = fa[fa["an"] == annee]
    lignes = [{"entite": r.code_insee, "perso": r.perso, "population": r.pop1} for r in fc.itertuples()]
    lignes += [{"entite": r.siren, "perso": r.perstot, "population": r.mpoid} for r in fa.itertuples()]
    df = pd.DataFrame(lignes).set_index("entite")
    manquantes = [e for e in ENTITES if e not in df.index or pd.isna(df.at[e, "perso"])]
    if manquantes:
        raise ErreurDonnees(f"charges de personnel {annee} absentes des finances pour : {', '.join(manquantes)} ; "
                            "impossible de caler les effectifs d'exemple", fichier=cat.dgfip_communes_sample)
    return df


def _police(cat: Catalogue, annee: int) -> dict[str, float]:
    """Police municipale agents per commune: real series for the year, else the real 2023 survey, else 0."""
    out = {c: 0.0 for c in CODES_INSEE}
    enquete = read_police_enquete_2023(cat.police_enquete_2023)
    norm = {c: _cle(n) for c, (_s, n) in COMMUNES.items()}
    for r in enquete.itertuples():
        cle = _cle(str(r.libelle))
        for code, n in norm.items():
            if cle == n and not pd.isna(r.agents_police):
                out[code] = float(r.agents_police)
    serie = read_police_municipale(cat.police_serie)
    serie = serie[(serie["an"] == annee) & serie["code_insee"].isin(CODES_INSEE)]
    for r in serie.itertuples():
        if not pd.isna(r.agents_police):
            out[r.code_insee] = float(r.agents_police)
    return out


def _cle(nom: str) -> str:
    a = unicodedata.normalize("NFKD", nom).encode("ascii", "ignore").decode().lower()
    return "".join(ch for ch in a if ch.isalnum())


def _effectifs_entite(entite: str, perso: float, population: float, police: float, annee: int,
                      rng: np.random.Generator) -> tuple[pd.DataFrame, float]:
    """Staff grid of one entity (FTE to 0.1, whole headcounts) whose cost matches ``perso`` (k€)."""
    agglo = entite == SIREN_AGGLO
    indice = (1 + EVOLUTION_COUT) ** (annee - 2013)
    niveau_cout = float(np.exp(rng.normal(0.0, 0.05)))  # entity-specific pay level (régime indemnitaire…)
    parts_f = PARTS_FILIERES_AGGLO if agglo else PARTS_FILIERES_COMMUNE
    bruit = {f: float(np.exp(rng.normal(0.0, 0.15))) if p > 0 else 0.0 for f, p in parts_f.items()}
    poids = {f: parts_f[f] * bruit[f] for f in parts_f}
    if not agglo and population < 3500:  # small communes: no médico-social, sport or culture staff of their own
        for f in ("médico-sociale", "sportive", "culturelle"):
            poids[f] = 0.0
    s = sum(poids.values())
    poids = {f: v / s for f, v in poids.items()}
    cellules = []
    for fil, pf in poids.items():
        cats = PARTS_CATEGORIES_AGGLO.get(fil, PARTS_CATEGORIES[fil]) if agglo else PARTS_CATEGORIES[fil]
        pc = PART_CONTRACTUELS[fil]
        for cat_, pcat in zip(ref.CATEGORIES, cats):
            for statut, ps in (("titulaire", 1 - pc), ("contractuel", pc)):
                cout = COUT_ETP_2013[cat_] * indice * niveau_cout
                if statut == "contractuel":
                    cout *= FACTEUR_COUT_NON_CITES if fil == "emplois non cités" else FACTEUR_COUT_CONTRACTUEL
                cellules.append([fil, cat_, statut, pf * pcat * ps, cout])
    grille = pd.DataFrame(cellules, columns=["filiere", "categorie", "statut", "part", "cout"])
    # police municipale: the real number of agents (titulaires; 1 chef de service B per 10 agents)
    if police > 0 and not agglo:
        b = math.floor(police / 10)
        fixe = {("police municipale", "B", "titulaire"): b, ("police municipale", "C", "titulaire"): police - b}
    else:
        fixe = {}
    cout_fixe = sum(n * ETP_PAR_AGENT["titulaire"] * COUT_ETP_2013[k[1]] * indice * niveau_cout
                    for k, n in fixe.items())
    reste = max(perso - cout_fixe, 0.0)
    etp_total = reste / float((grille["part"] * grille["cout"]).sum())
    grille["etp"] = (grille["part"] * etp_total).round(1)
    # fold the cells under half an FTE: a 15-agent commune has no 0.2 FTE of sport catégorie A. Within a
    # filière holding at least half an FTE, the small cells go to the filière's largest cell (cost kept);
    # a filière below half an FTE goes to the main cell (technique C titulaires).
    principal = (grille["filiere"] == "technique") & (grille["categorie"] == "C") & (grille["statut"] == "titulaire")
    i_principal = int(np.flatnonzero(principal.to_numpy())[0])
    for fil in grille["filiere"].unique():
        idx = np.flatnonzero((grille["filiere"] == fil).to_numpy())
        etp_f = grille["etp"].to_numpy()[idx]
        petits = idx[etp_f < SEUIL_CELLULE_ETP]
        if not len(petits) or float(etp_f.sum()) <= 0:
            continue
        cible = int(idx[int(np.argmax(grille["part"].to_numpy()[idx]))]) if etp_f.sum() >= SEUIL_CELLULE_ETP \
            else i_principal
        petits = [i for i in petits if i != cible]
        report = float((grille["etp"].to_numpy()[petits] * grille["cout"].to_numpy()[petits]).sum())
        grille.loc[petits, "etp"] = 0.0
        grille.loc[cible, "etp"] = round(float(grille.at[cible, "etp"]) + report / float(grille.at[cible, "cout"]), 1)
    for (fil, cat_, statut), n in fixe.items():
        m = (grille["filiere"] == fil) & (grille["categorie"] == cat_) & (grille["statut"] == statut)
        grille.loc[m, "etp"] = round(n * ETP_PAR_AGENT["titulaire"], 1)
    grille["etp"] = grille["etp"].round(1)
    effectifs = []
    for r in grille.itertuples():
        if r.etp <= 0:
            effectifs.append(0)
        else:
            n = max(round(r.etp / ETP_PAR_AGENT[r.statut] * float(np.exp(rng.normal(0, 0.03)))), math.ceil(r.etp))
            effectifs.append(int(n))
    if fixe:
        for (fil, cat_, statut), n in fixe.items():
            m = ((grille["filiere"] == fil) & (grille["categorie"] == cat_) & (grille["statut"] == statut)).to_numpy()
            effectifs[int(np.flatnonzero(m)[0])] = int(n)
    grille["effectif"] = np.array(effectifs, dtype="float64")
    return grille[["filiere", "categorie", "statut", "effectif", "etp"]], float(niveau_cout * indice)


def _support_entite(entite: str, etp_total: float, population: float, niveau_cout: float,
                    rng: np.random.Generator) -> pd.DataFrame:
    echelle = 1.4 if population < 5000 else (1.0 if population < 50000 else 0.85)
    if entite == SIREN_AGGLO:
        echelle = 0.9
    lignes = []
    for fonc, (part, seuil, cout) in SUPPORT.items():
        if entite != SIREN_AGGLO and population < seuil:
            etp = 0.0
        else:
            etp = round(max(etp_total * part * echelle * float(np.exp(rng.normal(0, 0.2))), 0.1), 1)
        lignes.append({"fonction_support": fonc, "etp": etp, "cout": round(etp * cout * niveau_cout, 1)})
    return pd.DataFrame(lignes)


def _competences(domaines: list[cl.Domaine], entite: str) -> pd.DataFrame:
    """Who exercises what (2012–2016) from the sourced table's ``niveau``: agglomération → the EPCI only,
    communes → the communes only, partagée → both."""
    agglo = entite == SIREN_AGGLO
    lignes = []
    for d in domaines:
        niveau = d.niveau.lower()
        if niveau.startswith("agglom"):
            ex = agglo
        elif niveau.startswith("commune"):
            ex = not agglo
        else:
            ex = True
        lignes.append({"domaine": d.domaine, "exercee": ex})
    return pd.DataFrame(lignes)


def generer_classeurs_exemple(catalogue: Catalogue, graine: int | None = None, *, annee: int = ANNEE_EXEMPLE,
                              sortie: str | Path | None = None) -> list[Path]:
    """Generate and fill the 23 sample workbooks into ``<data>/raw/sample/collecte/`` (or ``sortie``).

    Deterministic for a given ``graine`` (default: ``orleans_gov.echantillon.comptes.GRAINE``): the cell values are
    identical from one run to the next (the .xlsx files themselves carry a save timestamp).
    """
    if graine is None:
        graine = GRAINE
    cat = catalogue
    sortie = Path(sortie) if sortie else cat.sample / "collecte"
    for p in (cat.depenses_fonction_sample, cat.flux_sample):
        if not p.exists():
            raise ErreurDonnees("fichier de l'échantillon absent : lancer d'abord la génération de l'échantillon "
                                "(orleans-gov echantillon)", fichier=p)
    fin = _finances_reference(cat, annee)
    police = _police(cat, annee)
    domaines = cl.domaines_competences(cat.competences)
    dep = pd.read_csv(cat.depenses_fonction_sample, dtype={"entite": str, "fonction": str})
    flux = pd.read_csv(cat.flux_sample, dtype={"code_insee": str})
    chemins = []
    for entite in ENTITES:
        perso = float(fin.at[entite, "perso"])
        population = float(fin.at[entite, "population"])
        # one random stream per entity (and per use): a change for one entity leaves the others unchanged;
        # « 4 » = issue 4, independent of the finance sample's stream
        rng_eff = np.random.default_rng([int(graine), 4, int(entite), 1])
        rng_sup = np.random.default_rng([int(graine), 4, int(entite), 2])
        eff, niveau_cout = _effectifs_entite(entite, perso, population, police.get(entite, 0.0), annee, rng_eff)
        sup = _support_entite(entite, float(eff["etp"].sum()), population, niveau_cout, rng_sup)
        dep_e = dep[dep["entite"] == entite]
        annees = sorted(int(a) for a in dep_e["an"].unique())
        if entite == SIREN_AGGLO:
            annees = sorted(set(annees) | {int(a) for a in flux["an"].unique()})
        chemin = cl.generer_classeur(entite, annee, sortie / cl.nom_fichier(entite), domaines=domaines,
                                     annees_series=annees, exemple=True)
        donnees = {"effectifs": eff, "charges_personnel": round(perso, 2), "fonctions_support": sup,
                   "depenses_fonction": dep_e, "competences_exercees": _competences(domaines, entite)}
        if entite == SIREN_AGGLO:
            donnees["flux_agglo_communes"] = flux
        cl.remplir_classeur(chemin, donnees)
        chemins.append(chemin)
    return chemins
