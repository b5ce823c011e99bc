/// The portal's script. It makes every request itself, with the bearer token it got from the daemon's
/// token endpoint kept in one variable (never in storage or a cookie), to the daemon's API only: the
/// ARM endpoints az and the SDK use and pcapctl's documented additions (docs/server.md). Rules are the
/// server's: the page checks only a port over 65535 and a path outside the captures root, and shows the
/// server's own error next to the field its `target` names.
enum PortalScript {
    static let source = #"""
        "use strict";
        (() => {
          const CAPTURE_API = "2026-03-01";
          const OTHER_API = "2024-07-01";
          const REFRESH_MS = 2000;
          const HISTORY = 90;
          const FINAL = new Set(["Stopped", "Error"]);
          const tenant = document.querySelector('meta[name="pcapctl-tenant"]').content;

          /** The bearer token: in this variable only, so no other site's request carries it. */
          let token = null;
          let tokenExpires = 0;
          let watchers = [];
          let subscriptions = [];
          const captures = new Map();
          let refreshTimer = null;
          let refreshing = false;
          let shownDetails = null;
          let pathEdited = false;
          let filterCount = 0;

          const $ = (id) => document.getElementById(id);

          function el(tag, props, ...children) {
            const node = document.createElement(tag);
            for (const [key, value] of Object.entries(props || {})) {
              if (key === "class") node.className = value;
              else if (key === "text") node.textContent = value;
              else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
              else node.setAttribute(key, value);
            }
            for (const child of children) node.append(child);
            return node;
          }

          // ---- API ----

          class ApiError extends Error {
            constructor(status, error) {
              super((error && error.message) || "The request failed (HTTP " + status + ").");
              this.status = status;
              this.code = error && error.code;
              this.target = error && error.target;
            }
          }

          const withVersion = (path, version) => path + (path.includes("?") ? "&" : "?") + "api-version=" + version;
          /** An absolute URL the server sent (nextLink, operation) as a path on this origin. */
          const local = (url) => { const u = new URL(url, location.href); return u.pathname + u.search; };
          const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

          async function api(method, path, body) {
            if (!token || Date.now() >= tokenExpires) {
              signOut("Your sign-in has expired; sign in again.");
              throw new ApiError(401, { message: "Not signed in." });
            }
            const init = { method, headers: { Authorization: "Bearer " + token }, credentials: "omit", cache: "no-store", redirect: "error" };
            if (body !== undefined) {
              init.headers["Content-Type"] = "application/json";
              init.body = JSON.stringify(body);
            }
            const response = await fetch(path, init);
            if (response.status === 401) signOut("The daemon did not accept the sign-in any more; sign in again.");
            if (!response.ok) {
              let error = null;
              try { error = (await response.json()).error; } catch (_) { /* not JSON */ }
              throw new ApiError(response.status, error);
            }
            return response;
          }

          async function apiJSON(method, path, body) {
            const text = await (await api(method, path, body)).text();
            return text ? JSON.parse(text) : null;
          }

          /** Every item of an ARM collection, following nextLink. */
          async function listAll(path) {
            const items = [];
            for (let next = path; next;) {
              const page = await apiJSON("GET", next);
              items.push(...page.value);
              next = page.nextLink ? local(page.nextLink) : null;
            }
            return items;
          }

          /** Waits for a long-running operation through its Azure-AsyncOperation URL, as the SDK does. */
          async function finish(response) {
            const url = response.headers.get("Azure-AsyncOperation");
            if (!url) return;
            for (let i = 0; i < 180; i++) {
              const operation = await apiJSON("GET", local(url));
              if (operation.status === "Succeeded") return;
              if (operation.status === "Failed") throw new ApiError(400, operation.error);
              await sleep(1000 * Number(response.headers.get("Retry-After") || 1));
            }
            throw new ApiError(0, { message: "The operation did not finish within 3 minutes; see the list for its state." });
          }

          // ---- Sign-in ----

          async function signIn(event) {
            event.preventDefault();
            const id = $("client-id"), secret = $("client-secret"), error = $("signin-error");
            error.textContent = "";
            if (!id.value || !secret.value) {
              error.textContent = "Enter the Client ID and the Client secret.";
              return;
            }
            const form = new URLSearchParams({ grant_type: "client_credentials", client_id: id.value, client_secret: secret.value,
              scope: "https://management.core.windows.net/.default" });
            secret.value = "";
            $("sign-in").disabled = true;
            try {
              const response = await fetch("/" + encodeURIComponent(tenant) + "/oauth2/v2.0/token",
                { method: "POST", body: form, credentials: "omit", cache: "no-store", redirect: "error" });
              const answer = await response.json();
              if (!response.ok) {
                error.textContent = answer.error === "invalid_client" ? "The Client ID or Client secret is not valid." : (answer.error_description || "Sign-in failed.");
                secret.focus();
                return;
              }
              token = answer.access_token;
              tokenExpires = Date.now() + Math.max(answer.expires_in - 30, 10) * 1000;
              $("whoami").textContent = "Signed in as " + id.value;
              $("whoami").hidden = false;
              $("sign-out").hidden = false;
              $("signin").hidden = true;
              await startPortal();
            } catch (e) {
              error.textContent = "Sign-in failed: " + e.message;
            } finally {
              $("sign-in").disabled = false;
            }
          }

          function signOut(message) {
            token = null;
            tokenExpires = 0;
            clearInterval(refreshTimer);
            refreshTimer = null;
            captures.clear();
            $("capture-rows").replaceChildren();
            for (const id of ["list", "create", "details", "whoami", "sign-out"]) $(id).hidden = true;
            $("signin").hidden = false;
            $("signin-error").textContent = message || "";
            $("client-id").focus();
          }

          async function startPortal() {
            showView("list");
            try {
              subscriptions = await listAll(withVersion("/subscriptions", OTHER_API));
            } catch (e) {
              $("list-error").textContent = e.message;
              return;
            }
            await refresh();
            refreshTimer = setInterval(refresh, REFRESH_MS);
          }

          function showView(name) {
            for (const view of ["list", "create", "details"]) $(view).hidden = view !== name;
            if (name !== "details") shownDetails = null;
            const heading = $(name).querySelector("h1");
            heading.tabIndex = -1;
            heading.focus();
          }

          // ---- List ----

          /** Lists every watcher's captures (any status), then asks each unfinished one for its status. */
          async function refresh() {
            if (refreshing || !token) return;
            refreshing = true;
            try {
              const sub = subscriptions[0].subscriptionId;
              watchers = await listAll(withVersion("/subscriptions/" + sub + "/providers/Microsoft.Network/networkWatchers", OTHER_API));
              const seen = new Set();
              for (const watcher of watchers) {
                for (const resource of await listAll(withVersion(watcher.id + "/packetCaptures", CAPTURE_API))) {
                  seen.add(resource.id);
                  const known = captures.get(resource.id);
                  if (known) known.resource = resource;
                  else captures.set(resource.id, { resource, location: watcher.location, status: null, history: [] });
                }
              }
              for (const id of [...captures.keys()]) if (!seen.has(id)) { captures.get(id).row?.remove(); captures.delete(id); }
              await Promise.all([...captures.values()].filter((c) => !c.status || !FINAL.has(c.status.packetCaptureStatus)).map(updateStatus));
              renderList();
              if (shownDetails && captures.has(shownDetails)) renderDetails(captures.get(shownDetails), false);
              $("list-error").textContent = "";
              $("list-state").textContent = "Updated " + new Date().toLocaleTimeString();
            } catch (e) {
              if (token) $("list-error").textContent = "Could not refresh: " + e.message;
            } finally {
              refreshing = false;
            }
          }

          async function updateStatus(capture) {
            try {
              capture.status = await apiJSON("POST", withVersion(capture.resource.id + "/queryStatus", CAPTURE_API));
              capture.history.push({ at: Date.now(), packets: capture.status.packetsCaptured, drops: capture.status.packetsDropped });
              if (capture.history.length > HISTORY + 1) capture.history.shift();
            } catch (e) {
              if (e.status !== 404) throw e;
            }
          }

          const lastSegment = (id) => (id || "").split("/").filter(Boolean).pop() || "";
          const number = (value) => (value === undefined || value === null ? "" : Number(value).toLocaleString("en-US"));
          const time = (value) => (value ? new Date(value).toLocaleString() : "");

          function renderList() {
            const body = $("capture-rows");
            const sorted = [...captures.values()].sort((a, b) => a.resource.name.localeCompare(b.resource.name));
            sorted.forEach((capture, index) => {
              if (!capture.row) capture.row = newRow(capture);
              const s = capture.status || {};
              const cells = capture.row.cells;
              cells[1].textContent = lastSegment(capture.resource.properties.target);
              cells[2].textContent = capture.location;
              cells[3].textContent = s.packetCaptureStatus || capture.resource.properties.provisioningState;
              cells[3].className = "status status-" + (s.packetCaptureStatus || "Unknown");
              cells[4].textContent = s.stopReason || "";
              cells[5].textContent = time(s.captureStartTime);
              cells[6].textContent = number(s.packetsCaptured);
              cells[7].textContent = number(s.packetsDropped);
              cells[8].textContent = number(s.bytesWritten);
              // Moved only when out of place: moving a row would take the focus from its menu.
              if (body.children[index] !== capture.row) body.insertBefore(capture.row, body.children[index] || null);
            });
            $("empty").hidden = captures.size > 0;
          }

          function newRow(capture) {
            const name = capture.resource.name;
            const row = el("tr", { "data-name": name });
            row.append(el("td", {}, el("button", { type: "button", class: "link-button capture-name", text: name, onclick: () => openDetails(capture.resource.id) })));
            for (let i = 0; i < 8; i++) row.append(el("td", i >= 5 ? { class: "number" } : {}));
            const actions = el("td", { class: "actions-cell" });
            const button = el("button", { type: "button", class: "menu-button", "aria-haspopup": "menu", "aria-expanded": "false",
              "aria-label": "More actions for " + name, text: "..." });
            button.addEventListener("click", () => toggleMenu(capture, button));
            actions.append(button);
            row.append(actions);
            return row;
          }

          // ---- The "..." menu ----

          let openMenu = null;

          function closeMenu(returnFocus) {
            if (!openMenu) return;
            openMenu.menu.remove();
            openMenu.button.setAttribute("aria-expanded", "false");
            if (returnFocus) openMenu.button.focus();
            openMenu = null;
          }

          function toggleMenu(capture, button) {
            const wasOpen = openMenu && openMenu.button === button;
            closeMenu(false);
            if (wasOpen) return;
            const running = !capture.status || !FINAL.has(capture.status.packetCaptureStatus);
            const menu = el("div", { role: "menu", class: "menu", "aria-label": "Actions for " + capture.resource.name });
            const stop = el("button", { type: "button", role: "menuitem", text: "Stop", onclick: () => { closeMenu(true); stopCapture(capture); } });
            if (!running) stop.disabled = true;
            const remove = el("button", { type: "button", role: "menuitem", text: "Delete", onclick: () => { closeMenu(true); confirmDelete(capture); } });
            menu.append(stop, remove);
            menu.addEventListener("keydown", (event) => {
              const items = [...menu.querySelectorAll("button:not([disabled])")];
              const at = items.indexOf(document.activeElement);
              if (event.key === "Escape") { event.preventDefault(); closeMenu(true); }
              else if (event.key === "ArrowDown") { event.preventDefault(); items[(at + 1) % items.length].focus(); }
              else if (event.key === "ArrowUp") { event.preventDefault(); items[(at - 1 + items.length) % items.length].focus(); }
              else if (event.key === "Tab") closeMenu(false);
            });
            button.after(menu);
            // Fixed, below the button: the table's scrolling box would clip it. CSSOM, not a style attribute.
            const box = button.getBoundingClientRect();
            menu.style.top = box.bottom + 4 + "px";
            menu.style.right = document.documentElement.clientWidth - box.right + "px";
            button.setAttribute("aria-expanded", "true");
            openMenu = { menu, button };
            menu.querySelector("button:not([disabled])").focus();
          }

          window.addEventListener("resize", () => closeMenu(false));
          window.addEventListener("scroll", () => closeMenu(false), true);
          document.addEventListener("click", (event) => {
            if (openMenu && !openMenu.menu.contains(event.target) && event.target !== openMenu.button) closeMenu(false);
          });

          async function stopCapture(capture) {
            $("list-error").textContent = "";
            try {
              $("list-state").textContent = "Stopping " + capture.resource.name + "…";
              await finish(await api("POST", withVersion(capture.resource.id + "/stop", CAPTURE_API)));
              capture.status = null;
              await refresh();
            } catch (e) {
              $("list-error").textContent = "Stop " + capture.resource.name + ": " + e.message;
            }
          }

          function confirmDelete(capture) {
            const dialog = $("confirm-delete");
            $("confirm-text").textContent = "Delete packet capture '" + capture.resource.name + "'? Files already written stay where they are.";
            dialog.returnValue = "";
            dialog.onclose = () => { if (dialog.returnValue === "yes") deleteCapture(capture); };
            dialog.showModal();
            $("confirm-no").focus();
          }

          async function deleteCapture(capture) {
            $("list-error").textContent = "";
            try {
              $("list-state").textContent = "Deleting " + capture.resource.name + "…";
              const response = await api("DELETE", withVersion(capture.resource.id, CAPTURE_API));
              if (response.status === 202) await finish(response);
              if (shownDetails === capture.resource.id) showView("list");
              await refresh();
            } catch (e) {
              $("list-error").textContent = "Delete " + capture.resource.name + ": " + e.message;
            }
          }

          // ---- + Add ----

          /** Form controls by the create body's field (ARM's error `target`), so a server error lands next to its field. */
          const FIELD_OF_TARGET = {
            "packetCaptureName": "capture-name",
            "properties.target": "target-instance",
            "properties.targetType": "target-type",
            "properties.scope": "target-instance",
            "properties.bytesToCapturePerPacket": "bytes-per-packet",
            "properties.totalBytesPerSession": "bytes-per-session",
            "properties.timeLimitInSeconds": "time-limit",
            "properties.storageLocation": "capture-location",
            "properties.storageLocation.filePath": "file-path",
            "properties.storageLocation.localPath": "file-path",
            "properties.storageLocation.storageId": "storage-account",
            "properties.storageLocation.storagePath": "storage-account",
            "properties.filters": "filters",
            "properties.continuousCapture": "continuous",
            "properties.captureSettings": "continuous",
            "properties.captureSettings.fileCount": "file-count",
            "properties.captureSettings.fileSizeInBytes": "file-size",
            "properties.captureSettings.sessionTimeLimitInSeconds": "session-time",
          };

          function fieldForTarget(target) {
            // properties.filters[0].localPort → properties.filters[0] → properties.filters: the nearest field.
            for (let key = target || ""; key;) {
              if (FIELD_OF_TARGET[key]) return FIELD_OF_TARGET[key];
              const parent = key.replace(/(\.[^.[\]]*|\[\d+\])$/, "");
              if (parent === key) break;
              key = parent;
            }
            return null;
          }

          function watcherFor(location) {
            return watchers.find((w) => w.location === location) || watchers[0];
          }

          function capturesRoot() {
            const watcher = watcherFor(selectedTarget()?.location);
            return watcher ? watcher.properties.capturesRoot : "";
          }

          function defaultName() {
            const d = new Date(), two = (n) => String(n).padStart(2, "0");
            return "pc-" + d.getFullYear() + two(d.getMonth() + 1) + two(d.getDate()) + "-" + two(d.getHours()) + two(d.getMinutes()) + two(d.getSeconds());
          }

          async function openCreate() {
            clearErrors();
            const form = $("create-form");
            form.reset();
            $("filter-rows").replaceChildren();
            filterCount = 0;
            pathEdited = false;
            $("subscription").replaceChildren(...subscriptions.map((s) => el("option", { value: s.subscriptionId, text: s.displayName + " (" + s.subscriptionId + ")" })));
            $("capture-name").value = defaultName();
            showView("create");
            await loadTargets();
            updateLocationFields();
          }

          let targets = [];

          function selectedTarget() {
            return targets.find((t) => t.id === $("target-instance").value);
          }

          async function loadTargets() {
            const select = $("target-instance");
            const type = $("target-type").value === "AzureVMSS" ? "virtualMachineScaleSets" : "virtualMachines";
            setError("target-instance", "");
            try {
              const path = "/subscriptions/" + $("subscription").value + "/resourceGroups/" + encodeURIComponent($("resource-group").value || "local") +
                "/providers/Microsoft.Compute/" + type;
              targets = await listAll(withVersion(path, OTHER_API));
            } catch (e) {
              targets = [];
              setError("target-instance", e.message);
            }
            select.replaceChildren(...targets.map((t) => el("option", { value: t.id, text: t.name })));
            if (!targets.length) setError("target-instance", type === "virtualMachines" ? "No virtual machines found." : "No scale sets found: a scale set NAME is the network namespaces NAME_0, NAME_1, ...");
            updateFilePath();
          }

          /** A continuous capture has its limits in captureSettings; the session limits do not apply to it. */
          function updateLocationFields() {
            const continuous = $("continuous").value !== "";
            for (const field of document.querySelectorAll("[data-continuous]")) field.hidden = !continuous;
            for (const field of document.querySelectorAll("[data-session]")) field.hidden = continuous;
            const where = $("capture-location").value;
            $("storage-account-field").hidden = where === "file";
            $("file-path-field").hidden = where === "storage";
            $("file-path-hint").textContent = "Must start with " + capturesRoot() + "/, the captures root of this host.";
          }

          function updateFilePath() {
            if (!pathEdited) $("file-path").value = capturesRoot() + "/" + $("capture-name").value + ".cap";
            updateLocationFields();
          }

          function addFilter() {
            const index = filterCount++;
            const row = $("filter-template").content.firstElementChild.cloneNode(true);
            row.dataset.index = String(index);
            row.querySelector("legend").textContent = "Filter " + (index + 1);
            for (const control of row.querySelectorAll("[data-id]")) {
              control.id = "filter-" + index + "-" + control.dataset.id;
              const error = el("p", { class: "field-error", id: control.id + "-error" });
              control.after(error);
            }
            for (const label of row.querySelectorAll("label[data-for]")) label.htmlFor = "filter-" + index + "-" + label.dataset.for;
            row.querySelector(".remove-filter").addEventListener("click", () => { row.remove(); $("add-filter").focus(); });
            $("filter-rows").append(row);
            row.querySelector("select").focus();
          }

          function setError(field, message) {
            const error = $(field + "-error");
            if (error) error.textContent = message;
            const control = $(field);
            if (control && control.matches("input, select")) {
              if (message) {
                control.setAttribute("aria-invalid", "true");
                control.setAttribute("aria-describedby", ((control.getAttribute("aria-describedby") || "").replace(field + "-error", "").trim() + " " + field + "-error").trim());
              } else {
                control.removeAttribute("aria-invalid");
              }
            }
          }

          function clearErrors() {
            for (const node of $("create-form").querySelectorAll(".field-error")) node.textContent = "";
            for (const node of $("create-form").querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
            $("create-error").textContent = "";
          }

          const blankOrNumber = (id) => {
            const text = $(id).value.trim();
            return text === "" ? undefined : /^\d+$/.test(text) ? Number(text) : text;
          };

          /** The page's only own checks: ports over 65535 and a file outside the captures root. */
          function checkObvious() {
            const problems = [];
            for (const row of $("filter-rows").children) {
              const index = row.dataset.index;
              for (const [key, label] of [["localPort", "Local port"], ["remotePort", "Remote port"]]) {
                const value = $("filter-" + index + "-" + key).value;
                const big = (value.match(/\d+/g) || []).find((n) => Number(n) > 65535);
                if (big) problems.push(["filter-" + index + "-" + key, label + " " + big + " is over 65535, the largest port."]);
              }
            }
            const where = $("capture-location").value, path = $("file-path").value.trim(), root = capturesRoot();
            if (where !== "storage" && !(path.startsWith(root + "/") && path.length > root.length + 1 && !path.split("/").includes(".."))) {
              problems.push(["file-path", "The local file path must start with " + root + "/, the captures root."]);
            }
            return problems;
          }

          function createBody() {
            const where = $("capture-location").value, continuous = $("continuous").value;
            const storageLocation = {};
            if (where !== "storage") storageLocation[continuous ? "localPath" : "filePath"] = $("file-path").value.trim();
            if (where !== "file") {
              storageLocation.storageId = "/subscriptions/" + $("subscription").value + "/resourceGroups/" + ($("resource-group").value || "local") +
                "/providers/Microsoft.Storage/storageAccounts/" + $("storage-account").value.trim();
            }
            const filters = [];
            for (const row of $("filter-rows").children) {
              const filter = {};
              for (const control of row.querySelectorAll("[data-id]")) {
                if (control.value.trim() !== "") filter[control.dataset.id] = control.value.trim();
              }
              filters.push(filter);
            }
            const properties = {
              target: $("target-instance").value,
              targetType: $("target-type").value,
              bytesToCapturePerPacket: blankOrNumber("bytes-per-packet"),
              storageLocation,
              filters,
            };
            if (continuous) {
              properties.continuousCapture = continuous === "true";
              const settings = { fileCount: blankOrNumber("file-count"), fileSizeInBytes: blankOrNumber("file-size"), sessionTimeLimitInSeconds: blankOrNumber("session-time") };
              for (const key of Object.keys(settings)) if (settings[key] === undefined) delete settings[key];
              properties.captureSettings = settings;
            } else {
              properties.totalBytesPerSession = blankOrNumber("bytes-per-session");
              properties.timeLimitInSeconds = blankOrNumber("time-limit");
            }
            for (const key of Object.keys(properties)) if (properties[key] === undefined) delete properties[key];
            return { properties };
          }

          async function submitCreate(event) {
            event.preventDefault();
            clearErrors();
            const problems = checkObvious();
            if (!$("target-instance").value) problems.push(["target-instance", "Choose a target instance."]);
            if (problems.length) {
              for (const [field, message] of problems) setError(field, message);
              $(problems[0][0]).focus();
              return;
            }
            const target = selectedTarget();
            const name = $("capture-name").value.trim();
            const button = $("start-capture");
            button.disabled = true;
            try {
              const path = watcherFor(target.location).id + "/packetCaptures/" + encodeURIComponent(name);
              const response = await api("PUT", withVersion(path, CAPTURE_API), createBody());
              showView("list");
              $("list-state").textContent = "Starting " + name + "…";
              await refresh();
              try { await finish(response); } catch (e) { $("list-error").textContent = "Start " + name + ": " + e.message; }
              await refresh();
            } catch (e) {
              const field = fieldForTarget(e.target);
              if (field) {
                setError(field, e.message);
                const control = field === "filters" ? $("filter-rows").querySelector("input, select") || $("add-filter") : $(field);
                control.focus();
              } else {
                $("create-error").textContent = e.message;
              }
            } finally {
              button.disabled = false;
            }
          }

          // ---- Details ----

          async function openDetails(id) {
            const capture = captures.get(id);
            if (!capture) return;
            capture.files = null;
            showView("details");
            shownDetails = id;
            renderDetails(capture, true);
          }

          function definitionList(list, pairs) {
            list.replaceChildren();
            for (const [term, value] of pairs) {
              if (value === undefined || value === null || value === "") continue;
              list.append(el("dt", { text: term }), el("dd", { text: String(value) }));
            }
          }

          function describeFilters(filters) {
            if (!filters || !filters.length) return "None: every packet";
            return filters.map((f) => [f.protocol || "Any", f.localIPAddress && "local " + f.localIPAddress, f.localPort && "local port " + f.localPort,
              f.remoteIPAddress && "remote " + f.remoteIPAddress, f.remotePort && "remote port " + f.remotePort].filter(Boolean).join(", ")).join("; ");
          }

          async function renderDetails(capture, fresh) {
            const p = capture.resource.properties, s = capture.status || {};
            $("details-title").textContent = capture.resource.name;
            definitionList($("details-settings"), [
              ["Target", p.target], ["Target type", p.targetType === "AzureVMSS" ? "Scale set" : "Virtual machine"], ["Location", capture.location],
              ["Instances", p.instances && p.instances.join(", ")],
              ["Local file path", p.storageLocation && (p.storageLocation.localPath || p.storageLocation.filePath)], ["Storage account", p.storageLocation && p.storageLocation.storageId],
              ["Storage path", p.storageLocation && p.storageLocation.storagePath],
              ["Maximum bytes per packet", p.bytesToCapturePerPacket ? number(p.bytesToCapturePerPacket) : "All"],
              ["Maximum bytes per session", number(p.totalBytesPerSession)], ["Time limit (seconds)", number(p.timeLimitInSeconds)],
              ["Continuous capture", p.continuousCapture === undefined || p.continuousCapture === null ? "" : p.continuousCapture ? "On: keep the newest files" : "On: stop after the last file"],
              ["File count", p.captureSettings && number(p.captureSettings.fileCount)], ["File size (bytes)", p.captureSettings && number(p.captureSettings.fileSizeInBytes)],
              ["Session time (seconds)", p.captureSettings && number(p.captureSettings.sessionTimeLimitInSeconds)],
              ["Filters", describeFilters(p.filters)], ["Provisioning state", p.provisioningState],
            ]);
            definitionList($("details-status"), [
              ["Status", s.packetCaptureStatus], ["Stop reason", s.stopReason], ["Start time", time(s.captureStartTime)], ["Stop time", time(s.captureStopTime)],
              ["Errors", (s.packetCaptureError || []).join(", ")], ["Error message", s.errorMessage],
              ["Packets captured", number(s.packetsCaptured)], ["Packets received", number(s.packetsReceived)], ["Packets dropped", number(s.packetsDropped)],
              ["Dropped by the interface", number(s.packetsDroppedByInterface)], ["Bytes written", number(s.bytesWritten)],
            ]);
            $("details-bpf").textContent = p.bpfExpression || "(none: no filters)";
            const final = FINAL.has(s.packetCaptureStatus);
            $("details-live").hidden = final;
            if (!final) drawChart(capture);
            $("details-files-section").hidden = !final;
            if (final && (fresh || !capture.files)) await loadFiles(capture);
          }

          async function loadFiles(capture) {
            capture.files = [];
            const list = $("details-files"), summaries = $("details-summary");
            list.replaceChildren();
            summaries.replaceChildren();
            try {
              capture.files = await listAll(withVersion(capture.resource.id + "/files", CAPTURE_API));
            } catch (e) {
              list.append(el("li", { class: "error", text: e.message }));
              return;
            }
            if (!capture.files.length) list.append(el("li", { class: "muted", text: "No file was written." }));
            for (const file of capture.files) {
              const link = el("a", { href: "#", class: "file-link", "data-name": file.name, text: file.name });
              link.addEventListener("click", (event) => download(event, link, file));
              list.append(el("li", {}, link, " (" + number(file.sizeInBytes) + " bytes, SHA-256 " + file.sha256.slice(0, 16) + "…)"));
              loadSummary(capture, file, summaries);
            }
          }

          /** Fetches the file with the bearer token, checks its SHA-256, then offers it as a blob: link. */
          async function download(event, link, file) {
            if (link.dataset.ready) return;
            event.preventDefault();
            link.textContent = file.name + " (downloading…)";
            try {
              const response = await api("GET", local(file.downloadPath));
              const bytes = await response.arrayBuffer();
              const digest = [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
              if (digest !== response.headers.get("x-pcapctl-sha256")) throw new Error("the download's SHA-256 does not match the daemon's");
              link.href = URL.createObjectURL(new Blob([bytes], { type: "application/vnd.tcpdump.pcap" }));
              link.download = file.name;
              link.dataset.ready = "true";
              link.textContent = file.name;
              link.click();
            } catch (e) {
              link.textContent = file.name + " (download failed: " + e.message + ")";
            }
          }

          function table(caption, headings, rows) {
            const t = el("table", {}, el("caption", { text: caption }));
            t.append(el("thead", {}, el("tr", {}, ...headings.map((h, i) => el("th", { scope: "col", class: i >= headings.length - 2 ? "number" : "", text: h })))));
            t.append(el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c, i) => el("td", { class: i >= r.length - 2 ? "number" : "", text: c }))))));
            return t;
          }

          async function loadSummary(capture, file, into) {
            const box = el("section", { class: "summary", "aria-label": "Summary of " + file.name });
            into.append(box);
            try {
              const s = await apiJSON("GET", withVersion(capture.resource.id + "/files/" + encodeURIComponent(file.name) + "/summary", CAPTURE_API));
              box.append(el("h2", { text: "Summary of " + file.name }),
                el("p", { text: number(s.packets) + " packets, " + number(s.bytes) + " bytes on the wire" + (s.firstPacketTime ? ", " + time(s.firstPacketTime) + " to " + time(s.lastPacketTime) : "") + "." }));
              const tables = el("div", { class: "summary-tables" });
              tables.append(table("Protocols", ["Protocol", "Packets", "Bytes"], s.protocols.map((p) => [p.name, number(p.packets), number(p.bytes)])));
              const port = (address, p) => (p === undefined || p === null ? address : address.includes(":") ? "[" + address + "]:" + p : address + ":" + p);
              tables.append(table("Top talkers (5-tuple)", ["Protocol", "Local", "Remote", "Packets", "Bytes"],
                s.topTalkers.map((t) => [t.protocol, port(t.localAddress, t.localPort), port(t.remoteAddress, t.remotePort), number(t.packets), number(t.bytes)])));
              box.append(tables);
            } catch (e) {
              box.append(el("p", { class: "error", text: "Summary of " + file.name + ": " + e.message }));
            }
          }

          // ---- The live chart (inline SVG) ----

          const SVG = "http://www.w3.org/2000/svg";
          function svg(tag, attributes) {
            const node = document.createElementNS(SVG, tag);
            for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
            return node;
          }

          /** Packets per second and drops per second between successive status samples. */
          function rates(history) {
            const out = [];
            for (let i = 1; i < history.length; i++) {
              const seconds = Math.max((history[i].at - history[i - 1].at) / 1000, 0.001);
              out.push({ packets: Math.max(history[i].packets - history[i - 1].packets, 0) / seconds, drops: Math.max(history[i].drops - history[i - 1].drops, 0) / seconds });
            }
            return out;
          }

          function drawChart(capture) {
            const series = rates(capture.history);
            const width = 600, height = 180, left = 48, bottom = 20, top = 10;
            const peak = Math.max(1, ...series.map((r) => Math.max(r.packets, r.drops)));
            const scale = Math.pow(10, Math.floor(Math.log10(peak)));
            const ceiling = Math.ceil(peak / scale) * scale;
            const x = (i) => left + (width - left - 4) * i / (HISTORY - 1);
            const y = (v) => top + (height - top - bottom) * (1 - v / ceiling);
            const chart = svg("svg", { viewBox: "0 0 " + width + " " + height, role: "img", "aria-labelledby": "chart-title chart-now" });
            for (const fraction of [0, 0.5, 1]) {
              chart.append(svg("line", { class: "grid", x1: left, x2: width - 4, y1: y(ceiling * fraction), y2: y(ceiling * fraction) }));
              const label = svg("text", { x: left - 6, y: y(ceiling * fraction) + 4, "text-anchor": "end" });
              label.textContent = number(Math.round(ceiling * fraction));
              chart.append(label);
            }
            const axis = svg("text", { x: left, y: height - 4 });
            axis.textContent = "last " + Math.round(HISTORY * REFRESH_MS / 1000) + " s, sampled every " + REFRESH_MS / 1000 + " s";
            chart.append(axis);
            const offset = HISTORY - series.length;
            for (const key of ["packets", "drops"]) {
              const points = series.map((r, i) => x(i + offset).toFixed(1) + "," + y(r[key]).toFixed(1)).join(" ");
              if (series.length) chart.append(svg("polyline", { class: key, points }));
            }
            const last = series[series.length - 1];
            $("chart-now").textContent = last ? "Now: " + number(Math.round(last.packets)) + " packets/s, " + number(Math.round(last.drops)) + " drops/s." : "Waiting for the second sample…";
            const legend = el("ul", { class: "legend" },
              el("li", {}, el("span", { class: "swatch packets" }), "Packets per second"),
              el("li", {}, el("span", { class: "swatch drops" }), "Drops per second"));
            $("chart").replaceChildren(chart, legend);
          }

          // ---- Wiring ----

          document.addEventListener("DOMContentLoaded", () => {
            $("signin-form").addEventListener("submit", signIn);
            $("sign-out").addEventListener("click", () => signOut("Signed out."));
            $("add").addEventListener("click", openCreate);
            $("refresh").addEventListener("click", refresh);
            $("cancel-create").addEventListener("click", () => showView("list"));
            $("back-to-list").addEventListener("click", () => showView("list"));
            $("create-form").addEventListener("submit", submitCreate);
            $("add-filter").addEventListener("click", addFilter);
            $("target-type").addEventListener("change", loadTargets);
            $("resource-group").addEventListener("change", loadTargets);
            $("subscription").addEventListener("change", loadTargets);
            $("target-instance").addEventListener("change", updateFilePath);
            $("capture-location").addEventListener("change", updateLocationFields);
            $("continuous").addEventListener("change", updateLocationFields);
            $("capture-name").addEventListener("input", updateFilePath);
            $("file-path").addEventListener("input", () => { pathEdited = true; });
            $("client-id").focus();
          });
        })();

        """#
}
