"""The size limit of uploads, enforced while the request arrives rather than after it has been read."""

import io
from typing import Any, cast

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParser
from django.utils.datastructures import MultiValueDict

from .uploads import MAX_UPLOAD_BYTES


class RefusedUpload(UploadedFile):
    """Stands for a file that passed the limit and was not read further: empty, its size what had arrived, so
    that the form or service checking the size refuses it with its own translated message."""

    def __init__(self, name: str | None, size: int) -> None:
        super().__init__(file=io.BytesIO(), name=name, size=size)


class SizeLimitedUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: once a file passes MAX_UPLOAD_BYTES, stops reading the request (at most one
    chunk more than the limit is read). The fields read before it are kept, and the file is given to the view as
    a RefusedUpload."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.refused: list[tuple[str, RefusedUpload]] = []
        self.parsing = False

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> tuple[QueryDict, MultiValueDict[str, UploadedFile]] | None:
        # Django returns only what the parser gathered before a StopUpload: parse here, then add the refused files.
        if self.parsing:
            return None
        self.parsing = True
        post, files = MultiPartParser(
            META, input_data, cast(HttpRequest, self.request).upload_handlers, encoding
        ).parse()
        for field_name, refused in self.refused:
            files.appendlist(field_name, refused)
        return post, files

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        received = start + len(raw_data)
        if received > MAX_UPLOAD_BYTES:
            self.refused.append((self.field_name, RefusedUpload(self.file_name, received)))
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
