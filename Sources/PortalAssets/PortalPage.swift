/// The portal's document: the sign-in form, the list, the "+ Add" form, the details and the delete
/// confirmation. Every control has a `<label for>`; the words are the Azure portal's (issue 15). No
/// inline script or style: the Content-Security-Policy forbids them.
enum PortalPage {
    static func html(tenant: String) -> String {
        #"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="pcapctl-tenant" content="\#(tenant)">
        <title>Packet capture · pcapctl</title>
        <link rel="icon" href="/portal/icon.svg" type="image/svg+xml">
        <link rel="stylesheet" href="/portal/portal.css">
        <script src="/portal/portal.js" defer></script>
        </head>
        <body>
        <header class="top">
          <span class="brand">pcapctl</span>
          <span class="crumb">Network Watcher · Packet capture</span>
          <span id="whoami" class="whoami" hidden></span>
          <button type="button" id="sign-out" class="link-button" hidden>Sign out</button>
        </header>

        <main id="main" tabindex="-1">
        <section id="signin" aria-labelledby="signin-title">
          <h1 id="signin-title">Sign in</h1>
          <p>Sign in with a client configured on this daemon. The token stays in this page's memory and is gone when you close or reload it.</p>
          <form id="signin-form" class="form narrow" method="post" action="#" autocomplete="off" novalidate>
            <div class="field">
              <label for="client-id">Client ID</label>
              <input id="client-id" name="client_id" type="text" required spellcheck="false" autocapitalize="off">
            </div>
            <div class="field">
              <label for="client-secret">Client secret</label>
              <input id="client-secret" name="client_secret" type="password" required autocomplete="off">
            </div>
            <p id="signin-error" class="error" role="alert"></p>
            <div class="actions"><button type="submit" id="sign-in" class="primary">Sign in</button></div>
          </form>
        </section>

        <section id="list" aria-labelledby="list-title" hidden>
          <h1 id="list-title">Packet capture</h1>
          <div class="toolbar">
            <button type="button" id="add" class="primary">+ Add</button>
            <button type="button" id="refresh">Refresh</button>
            <span id="list-state" class="muted" role="status"></span>
          </div>
          <p id="list-error" class="error" role="alert"></p>
          <div class="table-wrap">
            <table id="captures">
              <caption class="visually-hidden">Packet captures of the subscription, every status</caption>
              <thead>
                <tr><th scope="col">Name</th><th scope="col">Target</th><th scope="col">Location</th><th scope="col">Status</th>
                <th scope="col">Stop reason</th><th scope="col">Start time</th><th scope="col" class="number">Packets</th>
                <th scope="col" class="number">Dropped</th><th scope="col" class="number">Bytes</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
              </thead>
              <tbody id="capture-rows"></tbody>
            </table>
          </div>
          <p id="empty" class="muted" hidden>No packet captures yet. Select + Add to create one.</p>
        </section>

        <section id="create" aria-labelledby="create-title" hidden>
          <h1 id="create-title">Add packet capture</h1>
          <form id="create-form" class="form" method="post" action="#" novalidate>
            <fieldset>
              <legend>Basic details</legend>
              <div class="field">
                <label for="subscription">Subscription</label>
                <select id="subscription" required></select>
                <p class="field-error" id="subscription-error"></p>
              </div>
              <div class="field">
                <label for="resource-group">Resource group</label>
                <input id="resource-group" type="text" value="local" required spellcheck="false">
                <p class="field-error" id="resource-group-error"></p>
              </div>
              <div class="field">
                <label for="target-type">Target type</label>
                <select id="target-type">
                  <option value="AzureVM">Virtual machine</option>
                  <option value="AzureVMSS">Scale set</option>
                </select>
                <p class="field-error" id="target-type-error"></p>
              </div>
              <div class="field">
                <label for="target-instance">Target instance</label>
                <select id="target-instance" required></select>
                <p class="field-error" id="target-instance-error"></p>
              </div>
              <div class="field">
                <label for="capture-name">Packet capture name</label>
                <input id="capture-name" type="text" required spellcheck="false" maxlength="80">
                <p class="field-error" id="capture-name-error"></p>
              </div>
            </fieldset>

            <fieldset>
              <legend>Capture configuration</legend>
              <div class="field">
                <label for="capture-location">Capture location</label>
                <select id="capture-location">
                  <option value="storage">Storage account</option>
                  <option value="file" selected>File</option>
                  <option value="both">Both</option>
                </select>
                <p class="field-error" id="capture-location-error"></p>
              </div>
              <div class="field" id="storage-account-field" hidden>
                <label for="storage-account">Storage account</label>
                <input id="storage-account" type="text" spellcheck="false" placeholder="3-24 lower-case letters and digits">
                <p class="field-error" id="storage-account-error"></p>
              </div>
              <div class="field" id="file-path-field">
                <label for="file-path">Local file path</label>
                <input id="file-path" type="text" spellcheck="false" aria-describedby="file-path-hint">
                <p class="hint" id="file-path-hint"></p>
                <p class="field-error" id="file-path-error"></p>
              </div>
              <div class="field">
                <label for="bytes-per-packet">Maximum bytes per packet</label>
                <input id="bytes-per-packet" type="text" inputmode="numeric" placeholder="All" aria-describedby="bytes-per-packet-hint">
                <p class="hint" id="bytes-per-packet-hint">Blank: the whole packet.</p>
                <p class="field-error" id="bytes-per-packet-error"></p>
              </div>
              <div class="field">
                <label for="continuous">Continuous capture</label>
                <select id="continuous" aria-describedby="continuous-hint">
                  <option value="">Off</option>
                  <option value="true">On: keep the newest files</option>
                  <option value="false">On: stop after the last file</option>
                </select>
                <p class="hint" id="continuous-hint">A continuous capture writes a series of files of the size below; "keep the newest" deletes the oldest once there are File count of them.</p>
                <p class="field-error" id="continuous-error"></p>
              </div>
              <div class="field" data-continuous>
                <label for="file-count">File count</label>
                <input id="file-count" type="text" inputmode="numeric" placeholder="10">
                <p class="field-error" id="file-count-error"></p>
              </div>
              <div class="field" data-continuous>
                <label for="file-size">File size (bytes)</label>
                <input id="file-size" type="text" inputmode="numeric" placeholder="104857600">
                <p class="field-error" id="file-size-error"></p>
              </div>
              <div class="field" data-continuous>
                <label for="session-time">Session time (seconds)</label>
                <input id="session-time" type="text" inputmode="numeric" placeholder="86400">
                <p class="field-error" id="session-time-error"></p>
              </div>
              <div class="field" data-session>
                <label for="bytes-per-session">Maximum bytes per session</label>
                <input id="bytes-per-session" type="text" inputmode="numeric" placeholder="1073741824" aria-describedby="bytes-per-session-hint">
                <p class="hint" id="bytes-per-session-hint">Blank: 1 GB.</p>
                <p class="field-error" id="bytes-per-session-error"></p>
              </div>
              <div class="field" data-session>
                <label for="time-limit">Time limit (seconds)</label>
                <input id="time-limit" type="text" inputmode="numeric" placeholder="18000" aria-describedby="time-limit-hint">
                <p class="hint" id="time-limit-hint">Blank: 18000 seconds (5 hours).</p>
                <p class="field-error" id="time-limit-error"></p>
              </div>
            </fieldset>

            <fieldset>
              <legend>Filtering</legend>
              <p class="hint">No filter captures every packet; each row is one 5-tuple filter, and a packet matching any row is kept.</p>
              <div id="filter-rows"></div>
              <p class="field-error" id="filters-error"></p>
              <div class="actions"><button type="button" id="add-filter">+ Add filter</button></div>
            </fieldset>

            <p id="create-error" class="error" role="alert"></p>
            <div class="actions">
              <button type="submit" id="start-capture" class="primary">Start packet capture</button>
              <button type="button" id="cancel-create">Cancel</button>
            </div>
          </form>
        </section>

        <section id="details" aria-labelledby="details-title" hidden>
          <div class="toolbar">
            <button type="button" id="back-to-list">Back to packet captures</button>
          </div>
          <h1 id="details-title">Packet capture</h1>
          <p id="details-error" class="error" role="alert"></p>
          <div class="details-grid">
            <div>
              <h2>Settings</h2>
              <dl id="details-settings" class="settings"></dl>
            </div>
            <div>
              <h2>Status</h2>
              <dl id="details-status" class="settings"></dl>
            </div>
          </div>
          <h2>BPF expression</h2>
          <p><code id="details-bpf" class="bpf"></code></p>
          <div id="details-live" hidden>
            <h2 id="chart-title">Packets per second and drops</h2>
            <p id="chart-now" class="muted" role="status"></p>
            <div id="chart" class="chart"></div>
          </div>
          <div id="details-files-section" hidden>
            <h2>Capture files</h2>
            <ul id="details-files" class="files"></ul>
            <div id="details-summary"></div>
          </div>
        </section>
        </main>

        <dialog id="confirm-delete" aria-labelledby="confirm-title">
          <form method="dialog">
            <h2 id="confirm-title">Delete packet capture</h2>
            <p id="confirm-text"></p>
            <div class="actions">
              <button type="submit" value="yes" id="confirm-yes" class="danger">Yes</button>
              <button type="submit" value="no" id="confirm-no">No</button>
            </div>
          </form>
        </dialog>

        <template id="filter-template">
          <fieldset class="filter-row">
            <legend class="filter-title">Filter</legend>
            <div class="filter-fields">
              <div class="field"><label data-for="protocol">Protocol</label>
                <select data-id="protocol"><option value="Any">Any</option><option value="TCP">TCP</option><option value="UDP">UDP</option></select></div>
              <div class="field"><label data-for="localIPAddress">Local IP address</label><input data-id="localIPAddress" type="text" spellcheck="false"></div>
              <div class="field"><label data-for="localPort">Local port</label><input data-id="localPort" type="text" inputmode="numeric" spellcheck="false"></div>
              <div class="field"><label data-for="remoteIPAddress">Remote IP address</label><input data-id="remoteIPAddress" type="text" spellcheck="false"></div>
              <div class="field"><label data-for="remotePort">Remote port</label><input data-id="remotePort" type="text" inputmode="numeric" spellcheck="false"></div>
            </div>
            <div class="filter-errors"></div>
            <button type="button" class="remove-filter">Remove filter</button>
          </fieldset>
        </template>
        </body>
        </html>

        """#
    }
}
