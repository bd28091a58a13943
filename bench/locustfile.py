"""`make load`: 50 users for 60 s against gunicorn on 127.0.0.1 (bench/load.sh starts everything).

Coordinators browse the admin lists and the справка page, officials read the справка and now and
then download its PDF and Excel, integrations page through the API with a token. The server runs
with DEBUG=0 behind a pretend TLS proxy (X-Forwarded-Proto), as in production.
"""

import os
import random
import re

from locust import HttpUser, between, events, task

PASSWORD = "demo"
TOKEN = os.environ.get("LOAD_API_TOKEN", "")
REPORTS = [("tomsk-mkr", 2019), ("tomsk-mkr", 2018), ("tula-kadry", 2019)]


class Browser(HttpUser):
    abstract = True
    username = ""

    def on_start(self):
        origin = self.host.replace("http://", "https://")
        # Loopback has no TLS: say it was terminated by a proxy, and let the client send the
        # Secure cookies over plain HTTP.
        self.client.headers.update({"X-Forwarded-Proto": "https", "Origin": origin, "Referer": origin + "/"})
        page = self.client.get("/accounts/login/", name="login page")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        self._unsecure_cookies()
        response = self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="login",
            allow_redirects=False,
        )
        if response.status_code != 302:
            response.failure(f"login as {self.username}: HTTP {response.status_code}")
        self._unsecure_cookies()

    def _unsecure_cookies(self):
        for cookie in self.client.cookies:
            cookie.secure = False


class Coordinator(Browser):
    weight = 3
    wait_time = between(1, 3)
    username = "koordinator-tomsk"

    @task(4)
    def participants(self):
        self.client.get("/admin/participants/participant/", name="admin: participants")

    @task(2)
    def participants_page(self):
        self.client.get(f"/admin/participants/participant/?p={random.randint(1, 5)}", name="admin: participants ?p=")

    @task(2)
    def search(self):
        self.client.get("/admin/participants/participant/?q=Иванов", name="admin: search")

    @task(2)
    def editions(self):
        self.client.get("/admin/events/edition/", name="admin: editions")

    @task(2)
    def report(self):
        self.client.get("/reports/tomsk-mkr/2019/", name="справка page")


class Official(Browser):
    weight = 2
    wait_time = between(2, 5)
    username = "vlast"

    @task(6)
    def report(self):
        slug, year = random.choice(REPORTS)
        self.client.get(f"/reports/{slug}/{year}/", name="справка page")

    @task(2)
    def index(self):
        self.client.get("/reports/", name="справки: list")

    @task(1)
    def pdf(self):
        slug, year = random.choice(REPORTS)
        self.client.get(f"/reports/{slug}/{year}/pdf/", name="справка PDF")

    @task(1)
    def xlsx(self):
        slug, year = random.choice(REPORTS)
        self.client.get(f"/reports/{slug}/{year}/xlsx/", name="справка Excel")


class Integration(HttpUser):
    weight = 3
    wait_time = between(0.5, 2)

    def on_start(self):
        self.client.headers.update({"Authorization": f"Token {TOKEN}", "X-Forwarded-Proto": "https"})

    @task(4)
    def participants(self):
        self.client.get(f"/api/v1/participants/?page={random.randint(1, 10)}", name="API: participants")

    @task(2)
    def editions(self):
        self.client.get("/api/v1/editions/", name="API: editions")

    @task(1)
    def report(self):
        self.client.get("/api/v1/reports/tomsk-mkr/2019/", name="API: справка JSON")


@events.quitting.add_listener
def _fail_on_errors(environment, **kwargs):
    stats = environment.stats.total
    print(
        f"\nЗапросов: {stats.num_requests}, ошибок: {stats.num_failures}, "
        f"p50 {stats.get_response_time_percentile(0.5):.0f} мс, p95 {stats.get_response_time_percentile(0.95):.0f} мс"
    )
    if stats.num_failures:
        environment.process_exit_code = 1
