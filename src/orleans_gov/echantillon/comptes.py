"""The sample: synthetic accounts for what no reachable open file holds, in the exact official formats.

**Synthetic data, labelled as such everywhere** (``provenance = "exemple"``; banner « Données d'exemple — ne
pas diffuser »). Generated from a fixed seed (:data:`GRAINE`): regenerating gives byte-identical files.

What it writes under ``<data>/raw/sample/``:
- ``dgfip/communes/comptes-individuels-communes_<an>_exemple.csv`` — DGFiP « comptes individuels des communes »
  layout (2013–2015 header for 2008–2016, 2017 header from 2017), 22 communes, 2008–2023;
- ``dgfip/gfp/comptes-individuels-gfp_<an>_exemple.csv`` — DGFiP GFP layout, the agglomeration, 2008–2023;
- ``flux_agglo_communes.csv`` — attribution de compensation and DSC per commune and year (k€);
- ``budgets_annexes.csv`` — the agglomeration's budgets annexes per year (k€, :mod:`.budgets_annexes`);
- ``depenses_par_fonction.csv`` — spending by M14 function × section per entity and year (k€), the tidy
  layout a collection workbook yields.

Calibration (all documented in code):
- populations: real INSEE figures (census vintages 2016, 2019, 2020, 2022, 2023 for the 22 communes, 2013–2023
  for the six largest), linearly interpolated between vintages and extrapolated before the first with the
  commune's observed growth; ``pop1`` of year N = population municipale of vintage N−3 (the légale population
  in force on 1 January N) × the commune's real totale/municipale ratio (DGCL list of EPCI members);
- per-inhabitant levels: real DGFiP strata means (``dgfip-moyennes-de-strate_communes.csv``) interpolated in
  log(population) between the bands that have real means, with commune-specific persistent deviations
  (log-normal, σ = 22 %, :data:`.communes.SIGMA_ECARTS`) and yearly dynamics of each family (DGF cut 2014–2017, personnel growth, the
  investment electoral cycle…); Orléans is calibrated on its real 2013 sheet;
- the agglomeration: budget principal + budgets annexes (:mod:`.budgets_annexes`), the real OFGL aggregates
  2014–2017 and, before, the published figures (``chiffres-publies_agglo-orleans_2001-2013.csv``);
- accounting identities of real files hold: res1 = prod − charge, cafn = caf − remb,
  dette(t) = dette(t−1) + emp − remb, f* = X × 1000 / pop1, r* with the DGFiP denominators, m* = strata means,
  Σ(AC + DSC) = − revtot.

Modules, one per job: :mod:`.calage` (the strata-means model), :mod:`.communes` (the communes' accounts, one
function per family of accounts), :mod:`.gfp` (the agglomeration's), :mod:`.ventilation` (spending by function,
flows), :mod:`.ecriture` (the official layouts); this module runs them in order from one random stream.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.fichiers import ecrire_atomique, empreinte_fichiers
from orleans_gov.echantillon.budgets_annexes import ecrire_budgets_annexes, generer_budgets_annexes
from orleans_gov.echantillon.calage import ANNEES
from orleans_gov.echantillon.communes import generer_communes
from orleans_gov.echantillon.ecriture import ecrire_csv_officiel
from orleans_gov.echantillon.gfp import generer_gfp
from orleans_gov.echantillon.ventilation import ecrire_depenses_fonction, ecrire_flux
from orleans_gov.sources.dgfip import ENTETE_COMMUNES_2013, ENTETE_COMMUNES_2017
from orleans_gov.sources.populations import populations_annuelles

__all__ = ["ANNEES", "GRAINE", "generer", "empreinte"]

GRAINE = 20140330  # first round of the 2014 municipal elections: the mandate the mission serves

LISEZMOI = (
    "# Données d'exemple — ne pas diffuser\n\n"
    "Fichiers **synthétiques** écrits par `orleans-gov echantillon` (module `orleans_gov.echantillon`, graine "
    "{graine}) aux formats officiels DGFiP, calés sur les moyennes de strate réelles et les populations réelles.\n"
    "Ils remplacent les comptes que ce poste ne peut pas télécharger. Un fichier réel déposé dans `raw/reel/` "
    "l'emporte toujours sur l'exemple pour la même entité et la même année.\n")


def generer(dossier=None, graine: int = GRAINE) -> dict[str, Path]:
    """Write the whole sample under ``<data>/raw/sample`` and return the written paths by name.

    One random stream (``graine``) drawn in a fixed order: the communes (:func:`.communes.generer_communes`),
    then the agglomeration (:func:`.gfp.generer_gfp`). The real Orléans rows replace nothing here: they are merged
    at build time (real wins); the sample covers every year so that a client without the real sheet gets a
    complete series.
    """
    cat = Catalogue.depuis(dossier)
    rng = np.random.default_rng(graine)
    pops = populations_annuelles(cat)
    lignes_communes, flux, fonctions = generer_communes(cat, rng, pops)
    chemins: dict[str, Path] = {}
    for an, lignes in lignes_communes.items():
        entete = ENTETE_COMMUNES_2013 if an < 2017 else ENTETE_COMMUNES_2017
        p = cat.dgfip_communes_sample / f"comptes-individuels-communes_{an}_exemple.csv"
        ecrire_csv_officiel(p, entete, lignes, vide_final=an < 2017)
        chemins[f"communes_{an}"] = p
    flux_df = pd.DataFrame(flux)
    annexes = generer_budgets_annexes(cat)
    chemins.update(generer_gfp(cat, rng, flux_df, pops, fonctions, annexes))
    chemins["flux"] = ecrire_flux(cat, flux_df)
    chemins["depenses_fonction"] = ecrire_depenses_fonction(cat, fonctions)
    chemins["budgets_annexes"] = ecrire_budgets_annexes(cat, annexes)
    ecrire_atomique(cat.sample / "LISEZMOI.md", LISEZMOI.format(graine=graine))
    return chemins


def empreinte(dossier=None) -> str:
    """sha256 over every file this generator writes (sorted by path; the workbooks of ``collecte/`` have their
    own fingerprint, ``entrees.sha256``): proves byte-identical regeneration."""
    cat = Catalogue.depuis(dossier)
    fichiers = [p for p in cat.sample.rglob("*")
                if p.is_file() and "collecte" not in p.relative_to(cat.sample).parts]
    return empreinte_fichiers(fichiers, cat.sample)
