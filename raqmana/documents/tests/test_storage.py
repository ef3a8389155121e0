"""Issued PDFs go to whatever storage is configured: an S3-compatible bucket here (moto's S3 in process)."""

import boto3
import pytest
from django.core.files.storage import storages
from moto import mock_aws

from raqmana.civil_status_documents.constants import CivilStatusDocument
from raqmana.civil_status_documents.services import issue_at_counter
from raqmana.civil_status_documents.tests.conftest import HOLDER
from raqmana.documents.models import IssuedDocument
from raqmana.documents.selectors import check_file

pytestmark = pytest.mark.django_db


@mock_aws
def test_documents_are_kept_in_an_s3_bucket(
    settings, monkeypatch, birth_act, agent, temara_office, django_capture_on_commit_callbacks
):
    boto3.client("s3", region_name="eu-west-3").create_bucket(
        Bucket="raqmana-documents", CreateBucketConfiguration={"LocationConstraint": "eu-west-3"}
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": "raqmana-documents", "region_name": "eu-west-3", "default_acl": "private"},
        },
    }
    # The field resolved its storage when the model was loaded; point it at the reconfigured one.
    monkeypatch.setattr(IssuedDocument._meta.get_field("pdf"), "storage", storages["documents"])
    with django_capture_on_commit_callbacks(execute=True):  # the PDF is stored once the record is committed
        document = issue_at_counter(
            birth_act,
            CivilStatusDocument.BIRTH_EXTRACT,
            office=temara_office,
            by=agent,
            requester=HOLDER,
            purpose="Test",
        )
    stored = boto3.client("s3", region_name="eu-west-3").get_object(Bucket="raqmana-documents", Key=document.pdf.name)
    assert check_file(stored["Body"].read()).authentic
