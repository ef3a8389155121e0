from django.db import models
from django.utils.translation import gettext_lazy as _


class ActKind(models.TextChoices):
    BIRTH = "birth", _("Birth act")
    DEATH = "death", _("Death act")


class ActState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")
    ABANDONED = "abandoned", _("Abandoned")


# The register acts are numbered in, by office and year (kernel.sequences).
ACT_REGISTER = "civil_status.act"


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class DeclarantRelation(models.TextChoices):
    """Who declares a birth, in the order of priority of Law 36-21 (first available declares)."""

    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    GRANDFATHER = "grandfather", _("Grandfather")
    PATERNAL_UNCLE_OR_AUNT = "paternal_uncle_aunt", _("Paternal uncle or aunt")
    MATERNAL_UNCLE_OR_AUNT = "maternal_uncle_aunt", _("Maternal uncle or aunt")
    GUARDIAN = "guardian", _("Guardian")
    SIBLING = "sibling", _("Brother or sister")
    NEPHEW_OR_NIECE = "nephew_niece", _("Nephew or niece")
    # Deaths are declared by a relative or by whoever learnt of the death; no order of priority applies.
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Son or daughter")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    LOCAL_AUTHORITY = "local_authority", _("Local authority")
    OTHER = "other", _("Other person")


BIRTH_DECLARANT_PRIORITY = [
    DeclarantRelation.FATHER,
    DeclarantRelation.MOTHER,
    DeclarantRelation.GRANDFATHER,
    DeclarantRelation.PATERNAL_UNCLE_OR_AUNT,
    DeclarantRelation.MATERNAL_UNCLE_OR_AUNT,
    DeclarantRelation.GUARDIAN,
    DeclarantRelation.SIBLING,
    DeclarantRelation.NEPHEW_OR_NIECE,
]


class MentionKind(models.TextChoices):
    MARRIAGE = "marriage", _("Marriage")
    DIVORCE = "divorce", _("Divorce")
    DEATH = "death", _("Death")
    COURT_DECISION = "court_decision", _("Court decision")
    SUBSTANTIVE_CORRECTION = "substantive_correction", _("Correction of a substantive error")
    MATERIAL_CORRECTION = "material_correction", _("Correction of a material error")
    LATIN_TRANSCRIPTION = "latin_transcription", _("Correction of the Latin transcription")


class AuthorityKind(models.TextChoices):
    COURT = "court", _("Court")
    PROSECUTOR = "prosecutor", _("Crown prosecutor")
    INTERIOR_MINISTER = "interior_minister", _("Minister of the Interior")
    ADOUL = "adoul", _("Adoul (notarial act)")
    CIVIL_STATUS_OFFICE = "civil_status_office", _("Civil status office")


# Which authority decides each kind of mention (Law 36-21): corrections of substance by the court of first
# instance, material errors on the crown prosecutor's authorisation, Latin transcription on the Interior
# Minister's; marriage and divorce by an adoul act or a judgment; a death by its death act.
MENTION_AUTHORITIES = {
    MentionKind.MARRIAGE: {AuthorityKind.ADOUL, AuthorityKind.COURT},
    MentionKind.DIVORCE: {AuthorityKind.ADOUL, AuthorityKind.COURT},
    MentionKind.DEATH: {AuthorityKind.CIVIL_STATUS_OFFICE, AuthorityKind.COURT},
    MentionKind.COURT_DECISION: {AuthorityKind.COURT},
    MentionKind.SUBSTANTIVE_CORRECTION: {AuthorityKind.COURT},
    MentionKind.MATERIAL_CORRECTION: {AuthorityKind.PROSECUTOR},
    MentionKind.LATIN_TRANSCRIPTION: {AuthorityKind.INTERIOR_MINISTER},
}
# Mentions that change recorded data (the others add facts beside it).
CORRECTING_MENTIONS = {
    MentionKind.COURT_DECISION,
    MentionKind.SUBSTANTIVE_CORRECTION,
    MentionKind.MATERIAL_CORRECTION,
    MentionKind.LATIN_TRANSCRIPTION,
}

# Where the screens and the API name what the services name otherwise: the deceased's birth act, by its IDCS.
INPUT_NAME_OF = {"birth_act": "deceased_idcs"}

DECLARATION_DELAY_DAYS = 30
DECLARATION_DELAY_DAYS_ABROAD = 365
MINIMUM_MOTHER_AGE_YEARS = 10


class EstablishmentKind(models.TextChoices):
    HEALTH = "health", _("Health establishment")
    HYGIENE_OFFICE = "hygiene", _("Communal hygiene office")
    LOCAL_AUTHORITY = "local_authority", _("Local authority")


class PreDeclarationState(models.TextChoices):
    RECEIVED = "received", _("Received")
    TAKEN_UP = "taken_up", _("Being registered")
    REGISTERED = "registered", _("Registered")
    DISMISSED = "dismissed", _("Dismissed")


class DeathNoticeState(models.TextChoices):
    RECEIVED = "received", _("Received")
    NOTED = "noted", _("Noted")
