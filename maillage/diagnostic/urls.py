app_name = "diagnostic"
urlpatterns = []
