"""The assumptions of a scenario (key ``hypotheses``): growth of each family, loans, investment, staff cost,
sensitivity. Every key has a default (:data:`DEFAUT_HYPOTHESES`, derived from the models); the descriptions are the
French documentation of the file format (generated into ``config/scenarios/README.md``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field, PrivateAttr, create_model

from orleans_gov.base import vocabulaire
from orleans_gov.scenarios.schema.champs import (HYPOTHESES_SENSIBILITE, Modele, MontantsParEntite, Refus, SerieTaux,
                                                 Taux, nombre, type_regle)

_SUIT = "même sens que pour les communes"


def _recettes_pct(v: Any) -> float | None:
    return None if v in (None, "reference") else nombre(v, minimum=0, maximum=1)


def _cout_etp(v: Any) -> float:
    x = nombre(v, minimum=0)
    if x == 0:
        raise Refus("coût moyen d'un ETP nul refusé")
    return x


RecettesPct = type_regle(float | None, _recettes_pct, {"anyOf": [{"const": "reference"},
                                                                 {"type": "number", "minimum": 0, "maximum": 1}]})
CoutEtp = type_regle(float, _cout_etp, {"type": "number", "exclusiveMinimum": 0})


class TauxFamilles(Modele):
    """Évolution annuelle de chaque famille de recettes et de dépenses d'un niveau (fraction : 0.02 = 2 %)."""

    fiscalite: SerieTaux = Field(0.02, description=(
        "évolution annuelle du produit des impôts locaux à taux constants (bases : revalorisation forfaitaire + "
        "variation physique)"))
    dgf: SerieTaux = Field(-0.03, description=(
        "évolution de la DGF ; pour l'agglomération, s'applique à la dotation de compensation et à la valeur de "
        "point de la dotation d'intercommunalité"))
    autres_recettes: SerieTaux = Field(0.01, description=(
        "autres recettes de fonctionnement (produits des services, autres impôts, subventions reçues…)"))
    personnel: SerieTaux = Field(0.025, description="charges de personnel (GVT, mesures catégorielles)")
    autres_charges: SerieTaux = Field(0.015, description="autres charges de fonctionnement hors intérêts")


class Croissance(Modele):
    """Un taux de croissance est soit un nombre (même taux chaque année), soit un dictionnaire ``{2014: …}``
    couvrant toutes les années projetées ; bornes −50 % à +50 %."""

    communes: TauxFamilles = Field(default_factory=dict, description="taux appliqués à chacune des 22 communes")
    agglomeration: TauxFamilles = Field(default_factory=dict, description="taux appliqués à l'agglomération")


class Emprunts(Modele):
    taux_interet: float = Field(0.03, ge=0, le=0.2, description="taux des emprunts nouveaux")
    duree_annees: int = Field(20, ge=1, le=50, description=(
        "durée des emprunts nouveaux (amortissement linéaire du capital à partir de l'année suivante)"))


class CroissanceInvestissement(Modele):
    communes: Taux = Field(0.0, description=(
        "évolution annuelle du programme d'équipement (dépenses d'équipement de l'année de référence)"))
    agglomeration: Taux = Field(0.0, description=_SUIT)


class RecettesInvestissement(Modele):
    communes: RecettesPct = Field("reference", description=(
        "part des dépenses d'équipement financée par des subventions reçues ; « reference » = subventions / "
        "équipement de l'année de référence de chaque entité (le FCTVA est calculé à part, art. L.1615-6 CGCT : "
        "taux de la date de la dépense, reçu N+2 par les communes, N par l'agglomération)"))
    agglomeration: RecettesPct = Field("reference", description=_SUIT)


class Investissement(Modele):
    croissance: CroissanceInvestissement = Field(default_factory=dict, description=(
        "évolution annuelle du programme d'équipement, par niveau"))
    programme: MontantsParEntite = Field(default_factory=dict, description=(
        "programme explicite par entité et par année projetée, en k€ : ``{\"45234\": {2016: 60000}}`` ; remplace "
        "le programme tendanciel de cette entité pour ces années (les transferts s'y ajoutent)"))
    recettes_pct: RecettesInvestissement = Field(default_factory=dict, description=(
        "recettes d'investissement hors emprunt : part de subventions, par niveau (FCTVA calculé à part)"))


def _modele_sensibilite(nom: str, doc: str, defauts: dict[str, float]) -> type[Modele]:
    champs = {k: (float, Field(defauts[k], ge=0, le=1, description=(
        f"{vocabulaire.libelle('hypothese_' + k)} ("
        f"{'en part du programme' if k == 'investissement' else 'en points : 0.005 = 0,5 point'})")))
        for k in HYPOTHESES_SENSIBILITE}
    return create_model(nom, __base__=Modele, __doc__=doc, __module__=__name__, **champs)


_BASE_SENSIBILITE = {"fiscalite": 0.005, "dgf": 0.01, "autres_recettes": 0.005, "personnel": 0.005,
                     "autres_charges": 0.005, "taux_interet": 0.005, "investissement": 0.10}
EcartsTypes = _modele_sensibilite(
    "EcartsTypes", "Écart-type du tirage Monte-Carlo de chaque hypothèse.", _BASE_SENSIBILITE)
VariationsTornado = _modele_sensibilite(
    "VariationsTornado", "Variation ± appliquée à chaque hypothèse dans le graphique en tornade.",
    {**_BASE_SENSIBILITE, "taux_interet": 0.01})


class Sensibilite(Modele):
    ecarts_types: EcartsTypes = Field(default_factory=dict)     # type: ignore[valid-type]
    tornado: VariationsTornado = Field(default_factory=dict)    # type: ignore[valid-type]
    # (descriptions: the docstrings of the two models)


@dataclass(frozen=True)
class DotationIntercommunalite:
    """Values of the dotation parameters in force in the first projected year (compatibility view: the engine
    reads the dated legal parameters of each year, :meth:`Scenario.parametres_legaux`)."""

    valeur_point_eur_hab: float
    cif_moyen_categorie: float
    decalage_annees: int
    part_dsc_cif: float


LEVIERS_EQUILIBRE = ("taux", "depenses_fonctionnement", "investissement", "constater")
"""The ways a scenario closes a breach of the équilibre réel (art. L.1612-4 CGCT), default first."""


class Equilibre(Modele):
    """Équilibre réel du budget (art. L.1612-4 CGCT) : le remboursement en capital de la dette doit être couvert par
    des ressources propres (épargne brute), jamais par l'emprunt."""

    levier: Literal["taux", "depenses_fonctionnement", "investissement", "constater"] = Field("taux", description=(
        "comment une entité dont l'épargne brute ne couvre pas le remboursement en capital rétablit l'équilibre : "
        "« taux » (défaut) = hausse des taux d'imposition qui comble l'écart, conservée les années suivantes ; "
        "« depenses_fonctionnement » = baisse durable des autres charges de fonctionnement du même montant ; "
        "« investissement » = aucun emprunt nouveau l'année de l'écart (programme réduit à l'autofinancement), "
        "l'écart de l'année reste constaté ; « constater » = aucune correction, l'écart est seulement signalé "
        "(jamais financé par l'emprunt : il réduit le fonds de roulement)"))


class Hypotheses(Modele):
    """Hypothèses d'évolution (toute hypothèse absente prend sa valeur par défaut)."""

    croissance: Croissance = Field(default_factory=dict)
    croissance_dsc: Taux = Field(0.0, description="évolution de la DSC de référence (l'AC, elle, n'est jamais indexée)")
    emprunts: Emprunts = Field(default_factory=dict, description=(
        "emprunts nouveaux (ils financent l'équipement non couvert par l'autofinancement, jamais un déficit de la "
        "section de fonctionnement : art. L.1612-4 CGCT)"))
    investissement: Investissement = Field(default_factory=dict, description=(
        "programme d'équipement et son financement"))
    prelevement_fonds_roulement: MontantsParEntite = Field(default_factory=dict, description=(
        "prélèvement choisi sur le fonds de roulement, par entité et année projetée (k€)"))
    cout_moyen_etp_keur: CoutEtp = Field(45.0, description=(
        "coût moyen chargé d'un ETP (k€) : convertit en ETP le personnel transféré ou mis en commun, et les ETP "
        "économisés en k€ ; sert aussi à estimer les ETP de chaque entité quand la table « effectifs » est absente "
        "(ETP = charges de personnel / coût moyen)"))
    equilibre: Equilibre = Field(default_factory=dict, description=(
        "équilibre réel du budget (art. L.1612-4 CGCT) et levier qui le rétablit"))
    sensibilite: Sensibilite = Field(default_factory=dict, description=(
        "analyse de sensibilité : écarts-types du Monte-Carlo et variations de la tornade"))
    _dotation: DotationIntercommunalite | None = PrivateAttr(None)

    @property
    def dotation_intercommunalite(self) -> DotationIntercommunalite | None:
        """Deprecated view kept for the presentation layer: the dotation parameters of the first projected year
        (they are legal parameters now, :meth:`Scenario.parametres_legaux`)."""
        return self._dotation


def defauts(modele: type[Modele]) -> dict[str, Any]:
    """The default value of every key of a model, as a YAML tree (nested models recursed)."""
    out: dict[str, Any] = {}
    for nom, champ in modele.model_fields.items():
        sous = champ.annotation
        if isinstance(sous, type) and issubclass(sous, Modele):
            out[nom] = defauts(sous)
        else:
            out[nom] = champ.get_default(call_default_factory=True)
    return out


DEFAUT_HYPOTHESES: dict[str, Any] = defauts(Hypotheses)
"""Default assumptions (documented in ``config/scenarios/README.md``), as a YAML tree."""
