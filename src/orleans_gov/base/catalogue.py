"""The single catalogue of paths: nothing else in the package hard-codes a location.

Resolution order for the data folder: explicit argument > environment variable ``ORLEANS_GOV_DATA`` >
the repository's ``data/`` folder. A data folder holds ``raw/`` (immutable inputs: ``raw/reel`` for real
published files, ``raw/sample`` for the generated sample, ``raw/collecte`` for imported workbooks) and
``processed/`` (rebuilt by ``orleans-gov donnees``).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

RACINE_PROJET = Path(__file__).resolve().parents[3]
VARIABLE_ENV = "ORLEANS_GOV_DATA"


def dossier_donnees(dossier: str | os.PathLike | None = None) -> Path:
    """Return the data folder (argument, then ``$ORLEANS_GOV_DATA``, then ``<repo>/data``)."""
    if dossier:
        return Path(dossier).expanduser().resolve()
    env = os.environ.get(VARIABLE_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return RACINE_PROJET / "data"


@dataclass(frozen=True)
class Catalogue:
    """Every path the suite reads or writes, for one data folder."""

    racine: Path

    @classmethod
    def depuis(cls, dossier: str | os.PathLike | None = None) -> "Catalogue":
        return cls(dossier_donnees(dossier))

    # --- raw --------------------------------------------------------------------------------
    @property
    def raw(self) -> Path:
        return self.racine / "raw"

    @property
    def reel(self) -> Path:
        return self.raw / "reel"

    @property
    def sample(self) -> Path:
        return self.raw / "sample"

    @property
    def collecte(self) -> Path:
        return self.raw / "collecte"

    @property
    def processed(self) -> Path:
        return self.racine / "processed"

    # real published files (see data/raw/SOURCES.md)
    @property
    def fiches_aeff_orleans(self) -> Path:
        return self.reel / "finance" / "dgfip-aeff_orleans-45234_2013-2014.csv"

    @property
    def moyennes_strate(self) -> Path:
        return self.reel / "finance" / "dgfip-moyennes-de-strate_communes.csv"

    @property
    def ofgl_investissement(self) -> Path:
        return self.reel / "finance" / "ofgl-investissement_gfp-244500468_2014-2017.csv"

    @property
    def populations(self) -> Path:
        return self.reel / "population" / "population-municipale_22-communes_2016-2023.csv"

    @property
    def membres_epci(self) -> Path:
        return self.reel / "population" / "epci-244500468_membres_par-version-decoupage-administratif.csv"

    @property
    def communes_geojson(self) -> Path:
        return self.reel / "geo" / "communes-45-loiret_adminexpress-cog2018-simplifie.geojson"

    @property
    def departement_geojson(self) -> Path:
        return self.reel / "geo" / "departement-45-loiret_adminexpress-cog2018-simplifie.geojson"

    @property
    def police_serie(self) -> Path:
        return self.reel / "staffing" / "police-municipale_effectifs_2013-2023_loiret45.csv"

    @property
    def police_enquete_2023(self) -> Path:
        return self.reel / "staffing" / "police-municipale_enquete-2023_loiret45_brut.csv"

    @property
    def competences(self) -> Path:
        return self.reel / "competences" / "competences_agglo-orleans.csv"

    @property
    def competences_par_categorie(self) -> Path:
        return self.reel / "competences" / "competences_par_categorie.csv"

    # folders where official DGFiP files may be dropped (real files win over the sample)
    @property
    def dgfip_communes_reel(self) -> Path:
        return self.reel / "dgfip" / "communes"

    @property
    def dgfip_gfp_reel(self) -> Path:
        return self.reel / "dgfip" / "gfp"

    @property
    def dgfip_communes_sample(self) -> Path:
        return self.sample / "dgfip" / "communes"

    @property
    def dgfip_gfp_sample(self) -> Path:
        return self.sample / "dgfip" / "gfp"

    @property
    def flux_sample(self) -> Path:
        return self.sample / "flux_agglo_communes.csv"

    @property
    def depenses_fonction_sample(self) -> Path:
        return self.sample / "depenses_par_fonction.csv"

    @property
    def budgets_annexes_sample(self) -> Path:
        return self.sample / "budgets_annexes.csv"

    @property
    def chiffres_publies(self) -> Path:
        return self.reel / "finance" / "chiffres-publies_agglo-orleans_2001-2013.csv"

    @property
    def correspondances_publies(self) -> Path:
        """Mapping of each published indicator to the project's definition (project configuration)."""
        return RACINE_PROJET / "config" / "rapprochement" / "indicateurs.yaml"

    @property
    def populations_sample(self) -> Path:
        return self.sample / "populations_annuelles.csv"

    # --- processed --------------------------------------------------------------------------
    def table(self, nom: str) -> Path:
        """Path of a processed table (``processed/<nom>.parquet``)."""
        return self.processed / f"{nom}.parquet"


def catalogue(dossier: str | os.PathLike | None = None) -> Catalogue:
    """Shortcut for :meth:`Catalogue.depuis`."""
    return Catalogue.depuis(dossier)
