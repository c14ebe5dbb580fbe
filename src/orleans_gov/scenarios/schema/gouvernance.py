"""The governance actions of a scenario (issue 12): ``changement_categorie`` (art. L.5215-1, L.5215-20, L.5217-1,
L.5217-2 CGCT), ``revision_attributions`` (art. 1609 nonies C V 1° bis CGI), ``dsc_criteres`` (art. 1609 nonies C
VI CGI), ``fpic_repartition`` (art. L.2336-3, L.2336-5 CGCT), ``schema_mutualisation`` (art. L.5211-39-1,
L.5211-4-2 CGCT) and ``composition_conseil`` (art. L.5211-6-1 CGCT).

The legal computation lives in :mod:`orleans_gov.scenarios.gouvernance` (tested against hand-computed examples);
these models only carry the choices of the scenario file. :data:`Action` is the union of every action type the
file format admits (the three of :mod:`.actions` and these six).
"""
from __future__ import annotations

import datetime as _dt
from typing import Annotated, Literal, Union

from pydantic import Field, model_validator

from orleans_gov.scenarios.schema.actions import (ClectTransfert, Liste, PacteFinancier, PersonnelTransfert,
                                                  ServiceCommun, Transfert, _Datee)
from orleans_gov.scenarios.schema.champs import (Collecte, Modele, Montant, MontantsParCommune, Part, Refus, Texte,
                                                 regle)

CATEGORIES_CIBLES = ("communaute_urbaine", "metropole")
CATEGORIES_CONSEIL = ("communaute_agglomeration", "communaute_urbaine", "metropole")
CRITERES_PACTE = ("population", "potentiel_financier", "insuffisance_potentiel_financier", "revenu", "ecart_revenu",
                  "charges_centralite")
"""Criteria a scenario may weigh (natures: :mod:`orleans_gov.scenarios.gouvernance.pacte`); the potentiel
financier and the revenu per inhabitant are the proxies of the data (impôts locaux and bases de taxe d'habitation
per inhabitant, :mod:`orleans_gov.scenarios.actions.gouvernance_pacte`); ``charges_centralite`` is given per
commune in the file (k€)."""


def _poids(criteres: dict[str, float], centralite: dict[str, float] | None) -> list[tuple[str, str]]:
    erreurs = [(f".criteres.{k}", f"critère inconnu {k!r} (admis : {', '.join(CRITERES_PACTE)})")
               for k in criteres if k not in CRITERES_PACTE]
    if not criteres:
        erreurs.append((".criteres", "au moins un critère attendu"))
    elif abs(sum(criteres.values()) - 1) > 1e-9:
        erreurs.append((".criteres", f"la somme des pondérations doit valoir 1 (somme = {sum(criteres.values())!r})"))
    if "charges_centralite" in criteres and not centralite:
        erreurs.append((".charges_centralite", "montants par commune obligatoires avec le critère charges_centralite"))
    return erreurs


class CompositionConseil(_Datee):
    """Composition du conseil communautaire (art. L.5211-6-1 CGCT) : droit commun ou accord local vérifié."""

    type: Literal["composition_conseil"] = Field(description="type de l'action")
    categorie: Literal["communaute_agglomeration", "communaute_urbaine", "metropole"] = Field(
        "communaute_agglomeration", description="catégorie de l'EPCI (le V, 10 % de sièges en plus, est réservé aux "
                                                "communautés de communes et d'agglomération)")
    date_regles: _dt.date | None = Field(None, description=(
        "date à laquelle les règles sont lues (AAAA-MM-JJ ; défaut : la date d'effet), p. ex. 2013-08-31 pour le "
        "conseil de 2014 (VII), ou après la décision 2014-405 QPC du 20 juin 2014"))
    annee_populations: int | None = Field(None, ge=2006, le=2030, description=(
        "millésime de la population municipale (table « populations » ; défaut : année d'effet − 3, population "
        "légale en vigueur au 1er janvier)"))
    sieges_supplementaires_10pct: bool = Field(False, description="création des 10 % de sièges du VI")
    accord_local: MontantsParCommune | None = Field(None, description=(
        "sièges par commune d'un accord local (I 2°), vérifié aux règles en vigueur ; défaut : droit commun"))


class ChangementCategorie(_Datee):
    """Transformation en communauté urbaine ou en métropole (art. L.5215-1, L.5217-1 CGCT) : compétences transférées,
    dotation d'intercommunalité de la nouvelle catégorie, sièges."""

    type: Literal["changement_categorie"] = Field(description="type de l'action")
    categorie: Literal["communaute_urbaine", "metropole"] = Field(description="nouvelle catégorie")
    categorie_precedente: Literal["communaute_agglomeration", "communaute_urbaine"] = Field(
        "communaute_agglomeration", description="catégorie quittée")
    competences: Literal["constatees"] | Liste(Texte) = Field("constatees", description=(  # type: ignore[valid-type]
        "« constatees » : les compétences que la table des compétences enregistre comme transférées à cette date ; "
        "ou la liste explicite des domaines"))
    part_fonction: Part = Field(description="part de la fonction M14 qui relève de chaque compétence transférée")
    parts_fonction: dict[str, Part] = Field(default_factory=dict, description=(
        "part de la fonction M14 par domaine (remplace « part_fonction » pour ce domaine)"))
    clect: ClectTransfert = Field(description="évaluation des charges transférées par la CLECT (chaque compétence)")
    personnel: PersonnelTransfert = Field(description="personnel qui suit les compétences")
    dotation_categorie: bool = Field(True, description=(
        "la dotation d'intercommunalité suit la dotation moyenne par habitant de la nouvelle catégorie "
        "(art. L.5211-29 II CGCT)"))


class RevisionAttributions(_Datee):
    """Révision libre des attributions de compensation (art. 1609 nonies C V 1° bis CGI)."""

    type: Literal["revision_attributions"] = Field(description="type de l'action")
    montant_keur: Montant = Field(description="montant déplacé (k€ par an)")
    mode: Literal["redistribution", "reduction_uniforme", "majoration", "reduction"] = Field(
        "redistribution", description="redistribution à somme nulle, réduction uniforme, majoration ou réduction")
    criteres: dict[str, Part] = Field(default_factory=dict, description="pondérations des critères (somme = 1)")
    charges_centralite: MontantsParCommune | None = Field(None, description="charges de centralité (k€) par commune")

    @model_validator(mode="after")
    @regle
    def _criteres(self) -> "RevisionAttributions":
        erreurs = [] if self.mode == "reduction_uniforme" and not self.criteres else _poids(
            self.criteres, self.charges_centralite)
        if erreurs:
            raise Refus(erreurs)
        return self


class DscCriteres(_Datee):
    """Dotation de solidarité communautaire par critères (art. 1609 nonies C VI CGI, rédaction en vigueur)."""

    type: Literal["dsc_criteres"] = Field(description="type de l'action")
    enveloppe_keur: Montant = Field(description="enveloppe annuelle de DSC (k€)")
    indexation: float = Field(0.0, ge=-0.5, le=0.5, description="évolution annuelle de l'enveloppe")
    criteres: dict[str, Part] = Field(description="pondérations des critères (somme = 1)")
    charges_centralite: MontantsParCommune | None = Field(None, description="charges de centralité (k€) par commune")
    contrat_de_ville: bool = Field(False, description="l'EPCI est signataire d'un contrat de ville (loi du 21 février 2014)")

    @model_validator(mode="after")
    @regle
    def _criteres(self) -> "DscCriteres":
        erreurs = _poids(self.criteres, self.charges_centralite)
        if erreurs:
            raise Refus(erreurs)
        return self


class FpicRepartition(_Datee):
    """Répartition du FPIC de l'ensemble intercommunal (art. L.2336-3 et L.2336-5 CGCT)."""

    type: Literal["fpic_repartition"] = Field(description="type de l'action")
    sens: Literal["prelevement", "reversement"] = Field(description="contribution (prélèvement) ou attribution")
    montants_keur: dict[int, Montant] = Field(description="montant de l'ensemble intercommunal par année (k€)")
    mode: Literal["droit_commun", "derogatoire", "libre"] = Field("droit_commun", description=(
        "répartition de droit commun, dérogatoire (dans ses limites) ou libre (sa majorité)"))
    part_epci: Part | None = Field(None, description="part de l'EPCI (dérogatoire, libre ; défaut : droit commun)")
    criteres: dict[str, Part] = Field(default_factory=dict, description="critères entre communes (dérogatoire)")

    @model_validator(mode="after")
    @regle
    def _coherence(self) -> "FpicRepartition":
        c = Collecte()
        if not self.montants_keur:
            c.ajouter(".montants_keur", "au moins une année attendue")
        if self.mode == "derogatoire" and self.criteres:
            for k, m in _poids(self.criteres, None):
                c.ajouter(k, m)
        if self.mode == "libre" and self.part_epci is None:
            c.ajouter(".part_epci", "part de l'EPCI obligatoire pour la répartition libre")
        for a in self.montants_keur:
            if a < self.annee:
                c.ajouter(f".montants_keur.{a}", f"année {a} antérieure à la date de l'action ({self.annee})")
        c.fin()
        return self


class ServiceDuSchema(ServiceCommun):
    """Un service commun du schéma (mêmes clés que l'action « service_commun », sans « type »)."""

    type: Literal["service_commun"] = Field("service_commun", description="(facultatif)")
    alignement_ri_keur_an: Montant = Field(0.0, description=(
        "coût annuel de l'alignement du régime indemnitaire des agents transférés (hypothèse explicite, k€)"))


class SchemaMutualisation(_Datee):
    """Schéma de mutualisation des services (art. L.5211-39-1 CGCT) : plusieurs services communs (L.5211-4-2)."""

    type: Literal["schema_mutualisation"] = Field(description="type de l'action")
    services: Liste(ServiceDuSchema) = Field(description="services communs du schéma")  # type: ignore[valid-type]

    @model_validator(mode="after")
    @regle
    def _noms(self) -> "SchemaMutualisation":
        noms = [s.nom for s in self.services]
        if not noms:
            raise Refus([(".services", "au moins un service commun attendu")])
        if len(set(noms)) != len(noms):
            raise Refus([(".services", f"noms de services en double : {noms}")])
        return self


ACTIONS_GOUVERNANCE = (ChangementCategorie, RevisionAttributions, DscCriteres, FpicRepartition,
                       SchemaMutualisation, CompositionConseil)

Action = Annotated[Union[Transfert, ServiceCommun, PacteFinancier, ChangementCategorie, RevisionAttributions,
                         DscCriteres, FpicRepartition, SchemaMutualisation, CompositionConseil],
                   Field(discriminator="type")]
"""Every action type of the file format, discriminated by ``type``."""
