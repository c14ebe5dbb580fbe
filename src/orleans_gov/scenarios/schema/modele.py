"""The scenario model (the root of a scenario file) and its explicit overrides of the legal parameters."""
from __future__ import annotations

from typing import Any

from pydantic import Field, PrivateAttr, ValidationInfo, model_validator

from orleans_gov.base import vocabulaire
from orleans_gov.base.parametres import Parametres, parametres
from orleans_gov.scenarios.dotations import BORNES, CIF_MOYEN, DECALAGE, PART_DSC, PARAMETRES_MOTEUR, VALEUR_POINT
from orleans_gov.scenarios.schema.actions import Liste
from orleans_gov.scenarios.schema.champs import (Collecte, Modele, Refus, Texte, erreurs_horizon, nombre, regle,
                                                 type_regle, vue)
from orleans_gov.scenarios.schema.gouvernance import Action
from orleans_gov.scenarios.schema.hypotheses import DotationIntercommunalite, Hypotheses

ANNEE_MIN, ANNEE_MAX = 2008, 2030
"""Years of reference the engine accepts (the DGFiP files cover 2008 onwards)."""

CLES_RETIREES: dict[tuple[str, ...], str] = {
    ("hypotheses", "dotation_intercommunalite"): (
        "clé retirée : les paramètres de la dotation d'intercommunalité sont des paramètres légaux datés "
        "(src/orleans_gov/base/parametres/dotations.yaml) ; pour s'en écarter, utiliser la clé de premier niveau "
        "« parametres », par exemple « parametres: {dotation_intercommunalite.valeur_point_eur_hab: 40} »"),
}
"""Keys of former versions of the format, refused with the way to say the same thing now."""


class Horizon(Modele):
    debut: int = Field(description="première année de l'horizon du mandat (après l'année de référence)")
    fin: int = Field(description="dernière année projetée (30 ans au plus après l'année de référence)")

    @model_validator(mode="after")
    @regle
    def _bornes(self, info: ValidationInfo) -> "Horizon":
        reference = (info.context or {}).get("reference")
        erreurs = erreurs_horizon(reference, self.debut, self.fin)
        if erreurs:
            raise Refus(erreurs)
        return self


def _surcharges(v: Any, info: ValidationInfo) -> dict[str, float]:
    """``{nom.du.parametre: valeur}``: known legal parameters only, each value within its bounds."""
    if not isinstance(v, dict):
        raise Refus(f"dictionnaire nom du paramètre -> valeur attendu, pas {v!r}")
    connus = (info.context or {}).get("parametres") or parametres()
    c = Collecte()
    out = {}
    for nom, x in v.items():
        if nom not in connus.table:
            c.ajouter(f".{nom}", f"paramètre inconnu {nom!r} (paramètres du moteur : {', '.join(PARAMETRES_MOTEUR)})")
            continue
        val = c(f".{nom}", nombre, x, **BORNES.get(nom, {}))
        if val is not None:
            out[str(nom)] = val
    c.fin()
    return out


Surcharges = type_regle(dict[str, float], _surcharges, {
    "type": "object", "propertyNames": {"enum": list(PARAMETRES_MOTEUR)}, "additionalProperties": {"type": "number"}})


class Scenario(Modele):
    """Un scénario d'évolution du bloc communal (un fichier ``config/scenarios/*.yaml``)."""

    nom: Texte = Field(description="nom court du scénario (affiché dans les tableaux)")
    description: Texte = Field(description="ce que le scénario représente et ses hypothèses clés (en français)")
    annee_reference: int = Field(ge=ANNEE_MIN, le=ANNEE_MAX, description=(
        "année des comptes de départ (2013 : derniers comptes avant le mandat) ; reprise de « base » si absente"))
    horizon: Horizon = Field(description="horizon de la projection ; repris de « base » si absent")
    base: Texte | None = Field(None, description=(
        "fichier (chemin relatif) dont on reprend annee_reference, horizon, hypotheses et parametres ; les "
        "hypotheses et parametres du fichier sont fusionnés clé par clé par-dessus"))
    hypotheses: Hypotheses = Field(default_factory=dict, description="hypothèses d'évolution (voir ci-dessous)")
    parametres: Surcharges = Field(default_factory=dict, description=(
        "surcharges explicites des paramètres légaux datés du moteur : {nom.du.parametre: valeur} (voir "
        "« Paramètres légaux ») ; enregistrées dans le scénario et dans les résultats"))
    actions: Liste(Action) = Field((), description=(  # type: ignore[valid-type]
        "liste d'actions : transfert, service_commun, pacte_financier"))
    _fichier: str = PrivateAttr("")
    _regles: Parametres | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _regles_du_scenario(self, info: ValidationInfo) -> "Scenario":
        connus = (info.context or {}).get("parametres") or parametres()
        regles = connus.avec(self.parametres, reference="surcharge explicite du scénario (clé « parametres »)")
        self._regles = regles          # private attributes of a frozen model may be set (here, once)
        d = self.debut
        self.hypotheses._dotation = DotationIntercommunalite(
            valeur_point_eur_hab=regles(VALEUR_POINT, d), cif_moyen_categorie=regles(CIF_MOYEN, d),
            decalage_annees=int(regles(DECALAGE, d)), part_dsc_cif=regles(PART_DSC, d))
        return self

    @property
    def fichier(self) -> str:
        return self._fichier

    debut = vue("horizon.debut")
    fin = vue("horizon.fin")

    @property
    def annees(self) -> list[int]:
        """Projected years: reference year + 1 … end of horizon."""
        return list(range(self.annee_reference + 1, self.fin + 1))

    def parametres_legaux(self) -> Parametres:
        """The dated legal parameters with this scenario's explicit overrides (key ``parametres``)."""
        return self._regles if self._regles is not None else parametres().avec(self.parametres)

    def sans_actions(self) -> "Scenario":
        """The counterfactual: same assumptions and parameters, no action (what each scenario is compared with)."""
        return self.model_copy(update={"nom": f"{self.nom} — {vocabulaire.libelle('sans_action')}",
                                       "description": vocabulaire.libelle("contrefactuel"), "actions": ()})

    def avec_fichier(self, fichier: str) -> "Scenario":
        """Record the file the scenario was read from (error messages, tables)."""
        self._fichier = str(fichier)
        return self
