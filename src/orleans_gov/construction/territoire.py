"""Tables ``populations``, ``territoire`` and ``perimetre``: who is in the perimeter, how many inhabitants, where.

- ``populations``: the annual INSEE series of the 22 communes with its statut (:mod:`orleans_gov.sources.populations`);
- ``territoire``: perimeter × year, 22 communes + the agglomeration, population and DGFiP band
  (``strate_dgfip``: the DGFiP population bands of the comptes individuels, ``nomsst1``);
- ``perimetre``: the communes' geometry (IGN ADMIN EXPRESS COG 2018, simplified, WGS84), a GeoParquet file.
"""
from __future__ import annotations

import pandas as pd

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.territoire import CODES_INSEE, COMMUNES, ENTITES, NOM_COURT_AGGLO, SIREN_AGGLO, strate_dgfip
from orleans_gov.construction.contrat import ENTIER, GEOMETRIE, TEXTE, Colonne, Contrat
from orleans_gov.sources.populations import populations_annuelles
from orleans_gov.sources.referentiel import read_communes_geo

STATUTS_POPULATION = ("recensement", "interpolée", "extrapolée")
STATUT_AGGLO = "somme des communes"
NIVEAUX = ("commune", "agglomération")

CONTRATS = {c.table: c for c in (
    Contrat("populations",
            debut=(Colonne("code_insee", TEXTE, valeurs=CODES_INSEE), Colonne("an", ENTIER),
                   Colonne("population", ENTIER, non_nulle=True),
                   Colonne("statut", TEXTE, non_nulle=True, valeurs=STATUTS_POPULATION),
                   Colonne("source", TEXTE, non_nulle=True)),
            cle=("code_insee", "an")),
    Contrat("territoire",
            debut=(Colonne("entite", TEXTE, valeurs=ENTITES), Colonne("code_insee", TEXTE, valeurs=CODES_INSEE),
                   Colonne("siren", TEXTE, non_nulle=True),
                   Colonne("nom", TEXTE, non_nulle=True), Colonne("niveau", TEXTE, non_nulle=True, valeurs=NIVEAUX),
                   Colonne("an", ENTIER), Colonne("population", ENTIER, non_nulle=True),
                   Colonne("statut_population", TEXTE, non_nulle=True, valeurs=STATUTS_POPULATION + (STATUT_AGGLO,)),
                   Colonne("source_population", TEXTE, non_nulle=True), Colonne("strate_dgfip", TEXTE)),
            cle=("entite", "an")),
    Contrat("perimetre",
            debut=(Colonne("code_insee", TEXTE, valeurs=CODES_INSEE), Colonne("nom", TEXTE, non_nulle=True),
                   Colonne("siren", TEXTE, non_nulle=True), Colonne("geometry", GEOMETRIE, non_nulle=True)),
            cle=("code_insee",)),
)}


def construire_populations(cat: Catalogue) -> pd.DataFrame:
    """The annual population of each commune (real census figures, interpolated, extrapolated)."""
    return populations_annuelles(cat)


def construire_territoire(populations: pd.DataFrame) -> pd.DataFrame:
    """Perimeter × year: 22 communes + the agglomeration with population (its status and source) and the
    DGFiP band. The agglomeration's population is the sum of its communes' (statut « somme des communes »)."""
    rows = []
    for r in populations.itertuples():
        siren, nom = COMMUNES[r.code_insee]
        rows.append({"entite": r.code_insee, "code_insee": r.code_insee, "siren": siren, "nom": nom,
                     "niveau": "commune", "an": r.an, "population": r.population,
                     "statut_population": r.statut, "source_population": r.source,
                     "strate_dgfip": strate_dgfip(r.population)})
    somme = populations.groupby("an").agg(population=("population", "sum"),
                                         n_recensement=("statut", lambda s: int((s == "recensement").sum())))
    for an, r in somme.iterrows():
        rows.append({"entite": SIREN_AGGLO, "code_insee": None, "siren": SIREN_AGGLO, "nom": NOM_COURT_AGGLO,
                     "niveau": "agglomération", "an": int(an), "population": int(r["population"]),
                     "statut_population": STATUT_AGGLO,
                     "source_population": f"somme des 22 communes ({r['n_recensement']} chiffres de recensement)",
                     "strate_dgfip": None})
    df = pd.DataFrame(rows)
    for c in [c.nom for c in CONTRATS["territoire"].colonnes if c.famille == TEXTE]:
        df[c] = df[c].astype("string")
    return df.sort_values(["an", "entite"]).reset_index(drop=True)


def construire_perimetre(cat: Catalogue):
    """The 22 communes' geometry (GeoDataFrame), with their name and SIREN; a missing commune is an error."""
    gdf = read_communes_geo(cat.communes_geojson)
    gdf = gdf[gdf["code_insee"].isin(CODES_INSEE)].copy()
    manquantes = sorted(set(CODES_INSEE) - set(gdf["code_insee"]))
    if manquantes:
        raise ErreurDonnees("communes du périmètre absentes de la carte", fichier=cat.communes_geojson,
                            colonne="code", valeur=", ".join(manquantes))
    gdf["nom"] = gdf["code_insee"].map(lambda c: COMMUNES[c][1]).astype("string")
    gdf["siren"] = gdf["code_insee"].map(lambda c: COMMUNES[c][0]).astype("string")
    return gdf[["code_insee", "nom", "siren", "geometry"]].sort_values("code_insee").reset_index(drop=True)


def construire(cat: Catalogue) -> dict[str, pd.DataFrame]:
    """The three tables (``territoire`` is computed from ``populations``)."""
    populations = construire_populations(cat)
    return {"populations": populations, "territoire": construire_territoire(populations),
            "perimetre": construire_perimetre(cat)}
