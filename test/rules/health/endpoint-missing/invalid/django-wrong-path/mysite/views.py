from django.http import JsonResponse


def health(request, pk=None):
    return JsonResponse({"ok": True})
