from django.urls import path

from . import views

# Mounted by raqmana/urls.py under /procedures/. The fixed sections (dossiers/, attachments/, office/, commission/,
# figures/) come before a procedure's own address (<code>/), which a procedure's code therefore never shadows.
app_name = "procedures"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    # The applicant's dossiers, from the draft's form to the decision.
    path("dossiers/", views.dossiers, name="dossiers"),
    path("dossiers/<int:pk>/", views.dossier, name="dossier"),
    path("dossiers/<int:pk>/edit/", views.form, name="form"),
    path("dossiers/<int:pk>/save/", views.save, name="save"),
    path("dossiers/<int:pk>/file/", views.file_dossier, name="file"),
    path("dossiers/<int:pk>/civil-status-link/", views.link, name="link"),
    path("dossiers/<int:pk>/attachments/", views.attach, name="attach"),
    path("dossiers/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("dossiers/<int:pk>/decision/", views.decision, name="decision"),
    path("dossiers/<int:pk>/messages/", views.write, name="write"),
    path("dossiers/<int:pk>/answer/", views.answer, name="answer"),
    path("dossiers/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("dossiers/<int:pk>/pay/", views.pay, name="pay"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("attachments/<int:pk>/remove/", views.remove_attachment, name="remove_attachment"),
    # The office: its queue and each dossier's review.
    path("office/", views.queue, name="queue"),
    path("office/<int:pk>/", views.review, name="review"),
    path("office/<int:pk>/take-up/", views.take_up, name="take_up"),
    path("office/<int:pk>/assign/", views.assign, name="assign"),
    path("office/<int:pk>/request-information/", views.request_information, name="request_information"),
    path("office/<int:pk>/messages/", views.write_office, name="write_office"),
    path("office/<int:pk>/approve/", views.approve, name="approve"),
    path("office/<int:pk>/refuse/", views.refuse, name="refuse"),
    path("office/<int:pk>/reexamine/", views.reexamine, name="reexamine"),
    path("office/meetings/", views.meetings, name="meetings"),
    path("office/exports/", views.request_export, name="request_export"),
    path("office/exports/list/", views.exports, name="exports"),
    path("office/exports/<int:pk>/download/", views.export_download, name="export_download"),
    # The commission's members: the opinions asked of them, each dossier before them, their opinion given.
    path("commission/", views.opinions, name="opinions"),
    path("commission/<int:pk>/", views.member_dossier, name="member_dossier"),
    path("commission/opinions/<int:pk>/give/", views.give_opinion, name="give_opinion"),
    path("commission/opinion-files/<int:pk>/", views.opinion_file, name="opinion_file"),
    # The public figures and the communes' index: aggregates only.
    path("figures/", views.figures_page, name="figures"),
    path("figures/index/", views.index, name="index"),
    # The public catalogue's procedures.
    path("<slug:code>/", views.procedure, name="procedure"),
    path("<slug:code>/start/", views.start, name="start"),
]
