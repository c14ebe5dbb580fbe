"""The actions of a scenario (key ``actions``): ``transfert`` (art. 1609 nonies C CGI), ``service_commun``
(art. L.5211-4-2 CGCT) and ``pacte_financier`` (art. 1609 nonies C VI CGI).

Each model mirrors the YAML keys (``clect.equipement.methode``…) and exposes the flat attributes the engine
and the presentation layer read (``methode_equipement``, ``annee``, ``prorata``…). Rules that involve several
keys of an action (participants, dates, the method of the CLECT) are checked by the action's own validator,
each refusal under its key path.
"""
from __future__ import annotations

import datetime as _dt
from typing import Annotated, Any, Literal, Union

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator, model_validator

from orleans_gov.base.nomenclatures import FONCTIONS_SUPPORT
from orleans_gov.base.territoire import CODES_INSEE, SIREN_AGGLO
from orleans_gov.scenarios.schema.champs import (AnneeHorizon, Collecte, Commune, Communes, DateAction, Modele,
                                                 Montant, MontantsParCommune, MontantsParEntiteSimple, Part,
                                                 PartsParEntite, Refus, Taux, Texte, completer_parts,
                                                 doublons_retires, entite, nombre, regle, type_regle, vue)


def _en_tuple(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


def Liste(t: Any) -> Any:  # noqa: N802 - a type constructor
    """A YAML list read as a tuple of ``t``."""
    return Annotated[tuple[t, ...], BeforeValidator(_en_tuple)]


def _prorata(d: _dt.date) -> float:
    """Share of the year from the date of effect (1.0 on 1 January)."""
    jours = (_dt.date(d.year + 1, 1, 1) - _dt.date(d.year, 1, 1)).days
    return (_dt.date(d.year + 1, 1, 1) - d).days / jours


class _Datee(Modele):
    date: DateAction = Field(description=(
        "date d'effet : AAAA (1er janvier) ou AAAA-MM-JJ ; après l'année de référence et dans l'horizon ; au "
        "prorata de l'année si ce n'est pas un 1er janvier"))

    @property
    def annee(self) -> int:
        return self.date.year

    @property
    def prorata(self) -> float:
        return _prorata(self.date)


# ---------------------------------------------------------------------------------------------------------
# transfert
# ---------------------------------------------------------------------------------------------------------

def _duree_vie(v: Any) -> float:
    x = nombre(v, minimum=0)
    if x == 0:
        raise Refus("durée de vie nulle refusée")
    return x


def _fonction_m14(v: Any) -> str:
    f = str(v).strip()
    if isinstance(v, bool) or f not in [str(i) for i in range(10)]:
        raise Refus(f"fonction M14 inconnue {v!r} (0 à 9)")
    return f


DureeVie = type_regle(float, _duree_vie, {"type": "number", "exclusiveMinimum": 0})
FonctionM14 = type_regle(str, _fonction_m14, {"type": "string", "enum": [str(i) for i in range(10)]})


class EquipementInventaire(Modele):
    commune: Commune = Field(description="commune qui transfère l'équipement (parmi celles de l'action)")
    libelle: Texte = Field(description="nom de l'équipement")
    cout: Montant = Field(description="coût de réalisation, d'acquisition ou de renouvellement (k€)")
    frais_financiers: Montant = Field(0.0, description="charges financières sur la durée d'utilisation (k€)")
    entretien_annuel: Montant = Field(0.0, description="dépenses d'entretien annuelles (k€)")
    duree_vie: DureeVie = Field(description="durée normale d'utilisation (années)")


ListeInventaire = Liste(EquipementInventaire)


class EquipementClect(Modele):
    methode: Literal["aucun", "investissement_moyen", "inventaire"] = Field(description=(
        "évaluation des charges d'équipement : aucune, dépense d'investissement moyenne de la fonction sur la "
        "période, ou inventaire des équipements"))
    annees_moyenne: int | None = Field(None, ge=1, le=10, description=(
        "période de la dépense d'investissement moyenne (défaut : celle du fonctionnement)"))
    inventaire: ListeInventaire | None = Field(None, description=(
        "liste des équipements, obligatoire pour la méthode « inventaire »"))
    deduire_recettes_investissement: bool = Field(True, description=(
        "déduire subventions et FCTVA (part observée dans l'équipement de la commune) du coût d'équipement"))

    @model_validator(mode="after")
    @regle
    def _methode(self) -> "EquipementClect":
        if self.methode == "inventaire" and not self.inventaire:
            raise Refus([(".inventaire", "liste d'équipements attendue pour la méthode « inventaire »")])
        if self.methode != "inventaire" and self.inventaire is not None:
            raise Refus([(".inventaire", f"inventaire donné alors que la méthode est « {self.methode} »")])
        return self


class ClectTransfert(Modele):
    annees_moyenne: int = Field(ge=1, le=10, description=(
        "N : période de référence choisie par la CLECT (moyenne des coûts nets des N derniers exercices connus)"))
    recettes_liees_pct: Part = Field(description="recettes afférentes, en part du coût de fonctionnement")
    equipement: EquipementClect = Field(description="évaluation des charges liées aux équipements")


class PersonnelTransfert(Modele):
    part_personnel: Part = Field(description="part du coût de fonctionnement qui est du personnel (suit la compétence)")
    etp: MontantsParCommune = Field(default_factory=dict, description=(
        "ETP transférés explicites par commune (sinon personnel transféré / coût moyen d'un ETP)"))


class Transfert(_Datee):
    """Transfert d'une compétence des communes à l'agglomération (évaluation CLECT, art. 1609 nonies C IV CGI)."""

    type: Literal["transfert"] = Field(description="type de l'action")
    competence: Texte = Field(description="domaine de compétence : colonne « domaine » de la table des compétences")
    fonction_m14: FonctionM14 | None = Field(None, description=(
        "fonction M14 (0 à 9) ; facultative, doit être celle de la table des compétences"))
    communes: Communes = Field(description="« toutes » ou liste de communes (code INSEE, SIREN ou nom exact)")
    part_fonction: PartsParEntite = Field(description=(
        "part de la fonction M14 qui relève de la compétence : nombre ou {commune: part}"))
    clect: ClectTransfert = Field(description="évaluation des charges transférées par la CLECT")
    personnel: PersonnelTransfert = Field(description="personnel qui suit la compétence")
    transfert_investissement: bool = Field(True, description=(
        "le programme d'équipement de la compétence passe à l'agglomération"))

    @field_validator("competence", mode="after")
    @classmethod
    @regle
    def _domaine(cls, v: str, info: ValidationInfo) -> str:
        domaines = (info.context or {}).get("domaines")
        if domaines is not None and v not in domaines:
            raise Refus(f"domaine de compétence inconnu {v!r} (il doit figurer exactement dans la colonne "
                        f"« domaine » de la table des compétences)")
        return v

    @model_validator(mode="after")
    @regle
    def _coherence(self, info: ValidationInfo) -> "Transfert":
        c = Collecte()
        domaines = (info.context or {}).get("domaines") or {}
        fonction = str(domaines.get(self.competence, self.fonction_m14))
        if self.fonction_m14 is not None and self.fonction_m14 != fonction:
            c.ajouter(".fonction_m14", f"fonction {self.fonction_m14} incohérente avec la table des compétences "
                                       f"(fonction {fonction} pour « {self.competence} »)")
        parts = c(".part_fonction", completer_parts, self.part_fonction, self.communes)
        for i, it in enumerate(self.clect.equipement.inventaire or ()):
            if it.commune not in self.communes:
                c.ajouter(f".clect.equipement.inventaire[{i}].commune",
                          f"commune {it.commune} absente de la liste des communes qui transfèrent")
        for k in self.personnel.etp:
            if k not in self.communes:
                c.ajouter(f".personnel.etp.{k}", f"commune {k} absente de la liste des communes qui transfèrent")
        c.fin()
        return self.model_copy(update={"part_fonction": parts, "fonction_m14": fonction})

    annees_moyenne = vue("clect.annees_moyenne")
    recettes_liees_pct = vue("clect.recettes_liees_pct")
    methode_equipement = vue("clect.equipement.methode")
    deduire_recettes_investissement = vue("clect.equipement.deduire_recettes_investissement")
    part_personnel = vue("personnel.part_personnel")
    etp = vue("personnel.etp")

    @property
    def annees_moyenne_equipement(self) -> int:
        return self.clect.equipement.annees_moyenne or self.clect.annees_moyenne

    @property
    def inventaire(self) -> tuple[EquipementInventaire, ...]:
        return self.clect.equipement.inventaire or ()


# ---------------------------------------------------------------------------------------------------------
# service commun
# ---------------------------------------------------------------------------------------------------------

def _fonctions_support(v: Any) -> tuple[str, ...]:
    if not isinstance(v, list) or not v:
        raise Refus(f"liste non vide de fonctions support attendue, pas {v!r}")
    erreurs = [(f"[{i}]", f"fonction support inconnue {f!r} (admises : {', '.join(FONCTIONS_SUPPORT)})")
               for i, f in enumerate(v) if f not in FONCTIONS_SUPPORT]
    if erreurs:
        raise Refus(erreurs)
    return doublons_retires(v)


FonctionsSupport = type_regle(tuple[str, ...], _fonctions_support, {
    "type": "array", "items": {"enum": list(FONCTIONS_SUPPORT)}, "minItems": 1})


class Economies(Modele):
    etp: Montant = Field(description="ETP économisés (hypothèse explicite d'économie d'échelle)")
    a_partir_de: AnneeHorizon = Field(description="année à partir de laquelle les ETP sont économisés")


class ServiceCommun(_Datee):
    """Service commun entre l'agglomération et des communes (art. L.5211-4-2 CGCT)."""

    type: Literal["service_commun"] = Field(description="type de l'action")
    nom: Texte = Field(description="nom du service commun")
    communes: Communes = Field(description="communes adhérentes (l'agglomération participe toujours)")
    fonctions_support: FonctionsSupport | None = Field(None, description=(
            "fonctions de la table de collecte « fonctions_support » (une et une seule des deux clés avec "
            "part_fonction_0)"))
    part_fonction_0: PartsParEntite | None = Field(None, description=(
        "part des dépenses de fonctionnement de la fonction M14 0 que représente la fonction mise en commun "
        "(nombre ou {entité: part}, agglomération comprise)"))
    part_personnel: Part = Field(description="part de personnel dans le coût complet de la fonction")
    cle_repartition: Literal["population", "etp", "usage"] = Field(description=(
        "clé de répartition du coût du service entre les participants"))
    usage: MontantsParEntiteSimple | None = Field(None, description=(
        "unités d'œuvre par participant, obligatoire si cle_repartition = usage"))
    financement: Literal["imputation_ac", "remboursement"] = Field(description=(
        "retenue sur l'attribution de compensation (art. L.5211-4-2 al. 5) ou remboursement"))
    economies: Economies = Field(description="économie d'échelle : ETP en moins et année de départ")

    @model_validator(mode="after")
    @regle
    def _coherence(self) -> "ServiceCommun":
        c = Collecte()
        participants = self.communes + (SIREN_AGGLO,)
        if (self.part_fonction_0 is None) == (self.fonctions_support is None):
            c.ajouter("", "indiquer soit « fonctions_support » (table de collecte), soit « part_fonction_0 » (part "
                          "de la fonction M14 0), et un seul des deux")
        parts = {}
        if self.part_fonction_0 is not None:
            parts = c(".part_fonction_0", completer_parts, self.part_fonction_0, participants) or {}
        if self.fonctions_support and self.part_personnel == 0:
            c.ajouter(".part_personnel", "part de personnel nulle impossible avec « fonctions_support » (le coût "
                                         "complet est le coût de personnel / part de personnel)")
        c(".usage", _verifier_usage, self.usage, self.cle_repartition, participants)
        if self.economies.a_partir_de < self.annee:
            c.ajouter(".economies.a_partir_de", f"année {self.economies.a_partir_de} antérieure à la création du "
                                                f"service ({self.annee})")
        c.fin()
        return self.model_copy(update={"part_fonction_0": parts, "fonctions_support": self.fonctions_support or (),
                                       "usage": self.usage or {}})

    economies_etp = vue("economies.etp")
    economies_a_partir_de = vue("economies.a_partir_de")


def _verifier_usage(usage: dict[str, float] | None, cle: str, participants: tuple[str, ...]) -> None:
    if cle != "usage":
        if usage is not None:
            raise Refus(f"« usage » donné alors que cle_repartition = {cle}")
        return
    if usage is None:
        raise Refus("clé « usage » obligatoire (entité -> unités d'œuvre) quand cle_repartition = usage")
    erreurs = [(f".{k}", f"entité {k} ne participe pas au service commun") for k in usage if k not in participants]
    manquantes = [e for e in participants if e not in usage]
    if manquantes:
        erreurs.append(("", f"unités d'œuvre manquantes pour {manquantes}"))
    elif sum(usage.values()) == 0:
        erreurs.append(("", "total des unités d'œuvre nul"))
    if erreurs:
        raise Refus(erreurs)


# ---------------------------------------------------------------------------------------------------------
# pacte financier
# ---------------------------------------------------------------------------------------------------------

class Criteres(Modele):
    """Pondérations des critères de répartition de la DSC (somme = 1 ; critères librement fixés par le conseil)."""

    population: Part | None = Field(None, description="population DGFiP de l'année de référence")
    potentiel_fiscal: Part | None = Field(None, description=(
        "écart de potentiel fiscal par habitant (approché par les impôts locaux par habitant)"))
    revenu: Part | None = Field(None, description=(
        "écart de revenu par habitant (approché par les bases de taxe d'habitation par habitant)"))

    @model_validator(mode="after")
    @regle
    def _somme(self) -> "Criteres":
        poids = self.poids()
        if not poids:
            raise Refus("au moins un critère de répartition attendu")
        if abs(sum(poids.values()) - 1.0) > 1e-9:
            raise Refus(f"la somme des pondérations doit valoir 1 (somme = {sum(poids.values())!r})")
        return self

    def poids(self) -> dict[str, float]:
        return {k: v for k, v in ((k, getattr(self, k)) for k in type(self).model_fields) if v is not None}


class DscPacte(Modele):
    montant_keur: Montant = Field(description=(
        "enveloppe annuelle de DSC à partir de la date (remplace la DSC de référence)"))
    criteres: Criteres = Field(description="pondérations des critères de répartition (somme = 1)")
    indexation: Taux = Field(0.0, description="évolution annuelle de l'enveloppe")


def _entites_taux(v: Any) -> tuple[str, ...]:
    if v == "communes":
        return CODES_INSEE
    if not isinstance(v, list) or not v:
        raise Refus("liste d'entités ou « communes » attendue")
    c = Collecte()
    out = tuple(c(f"[{j}]", entite, e) for j, e in enumerate(v))
    c.fin()
    return out


EntitesTaux = type_regle(tuple[str, ...], _entites_taux, {"anyOf": [
    {"const": "communes"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}]})


class VariationTaux(Modele):
    entites: EntitesTaux = Field(description="« communes » (les 22) ou liste d'entités")
    annee: AnneeHorizon = Field(description="année de la variation (dans l'horizon, pas avant la date du pacte)")
    variation: Taux = Field(description="variation relative des taux (0.02 : + 2 % de produit)")


ListeTaux = Liste(VariationTaux)


class PacteFinancier(_Datee):
    """Pacte financier et fiscal : DSC (art. 1609 nonies C VI CGI) et variations de taux."""

    type: Literal["pacte_financier"] = Field(description="type de l'action")
    dsc: DscPacte | None = Field(None, description="nouvelle enveloppe de DSC et ses critères (facultatif)")
    taux: ListeTaux = Field((), description="variations de taux (facultatif)")

    @model_validator(mode="after")
    @regle
    def _contenu(self) -> "PacteFinancier":
        c = Collecte()
        if self.dsc is None and not self.taux:
            c.ajouter("", "un pacte financier doit contenir « dsc » ou « taux »")
        for i, t in enumerate(self.taux):
            if t.annee < self.annee:
                c.ajouter(f".taux[{i}].annee", f"année {t.annee} antérieure à la date du pacte ({self.annee})")
        c.fin()
        return self

    @property
    def dsc_montant_keur(self) -> float | None:
        return None if self.dsc is None else self.dsc.montant_keur

    @property
    def dsc_indexation(self) -> float:
        return 0.0 if self.dsc is None else self.dsc.indexation

    @property
    def criteres(self) -> dict[str, float]:
        return {} if self.dsc is None else self.dsc.criteres.poids()


Action = Annotated[Union[Transfert, ServiceCommun, PacteFinancier], Field(discriminator="type")]
