from django.urls import path

from . import views, views_cases, views_catalogue

app_name = "servicedesk"

urlpatterns = [
    # the catalogue
    path("servicedesk/matters/", views.matter_list, name="matter-list"),
    path("servicedesk/matters/new/", views_catalogue.matter_create, name="matter-create"),
    path("servicedesk/matters/<str:code>/", views.matter_detail, name="matter-detail"),
    path(
        "servicedesk/matters/<str:code>/revise/",
        views_catalogue.matter_revise,
        name="matter-revise",
    ),
    path(
        "servicedesk/matters/<str:code>/listing/",
        views_catalogue.matter_listing,
        name="matter-listing",
    ),
    # Cases (办件, issue 15 item 2).
    path("servicedesk/desk/", views_cases.desk, name="desk"),
    path("servicedesk/cases/open/", views_cases.case_open, name="case-open"),
    path("servicedesk/cases/mine/", views_cases.my_cases, name="my-cases"),
    path("servicedesk/cases/start/", views.case_start, name="case-start"),
    path("servicedesk/cases/<int:pk>/", views_cases.case_detail, name="case-detail"),
    path(
        "servicedesk/cases/<int:pk>/materials/<int:material_id>/",
        views_cases.case_material,
        name="case-material",
    ),
    path("servicedesk/cases/<int:pk>/step/", views_cases.case_step, name="case-step"),
    path("servicedesk/cases/<int:pk>/rating/", views_cases.case_rate, name="case-rate"),
    path("servicedesk/cases/<int:pk>/missing/", views_cases.case_missing, name="case-missing"),
    path("servicedesk/cases/<int:pk>/receipt/", views_cases.case_receipt, name="case-receipt"),
    # 代办 (a case handled on its resident's behalf, issue 15 item 3).
    path("servicedesk/cases/<int:pk>/proxy/", views.proxy_create, name="proxy-create"),
    path("servicedesk/proxies/<int:pk>/", views.proxy_detail, name="proxy-detail"),
    path("servicedesk/proxies/<int:pk>/letter/", views.proxy_letter, name="proxy-letter"),
    path("servicedesk/proxies/<int:pk>/check/", views.proxy_check, name="proxy-check"),
    path("servicedesk/proxies/<int:pk>/revoke/", views.proxy_revoke, name="proxy-revoke"),
    path(
        "servicedesk/proxies/<int:pk>/originals/",
        views.proxy_original_take,
        name="proxy-original-take",
    ),
    path(
        "servicedesk/proxies/<int:pk>/originals/<int:line_id>/return/",
        views.proxy_original_return,
        name="proxy-original-return",
    ),
    path(
        "servicedesk/proxies/<int:pk>/print/<slug:sheet>/",
        views.proxy_print,
        name="proxy-print",
    ),
    path("servicedesk/proxy-files/<int:pk>/", views.proxy_file, name="proxy-file"),
    # The desk's figures (issue 15 item 7).
    path("servicedesk/figures/", views.figures_page, name="figures"),
    path("servicedesk/figures/export.xlsx", views.figures_download, name="figures-export"),
    # Policy consultations (政策咨询, issue 15 item 4).
    path("servicedesk/consultations/", views.consultation_list, name="consultation-list"),
    path("servicedesk/consultations/new/", views.consultation_create, name="consultation-create"),
    path(
        "servicedesk/consultations/<int:pk>/",
        views.consultation_detail,
        name="consultation-detail",
    ),
    path(
        "servicedesk/consultations/<int:pk>/case/",
        views.consultation_case,
        name="consultation-case",
    ),
    path(
        "servicedesk/consultations/<int:pk>/order/",
        views.consultation_order,
        name="consultation-order",
    ),
]
