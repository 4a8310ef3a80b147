/*
 * scpln web UI — progressive enhancements. Every page works without this file;
 * it only adds what is better with a script:
 *
 * - the browser's time zone in the scpln_tz cookie (the server renders times in
 *   it from the next page on), unless the planner chose a zone on /ui/timezone;
 * - tabs: <div data-tabs> holding a list of <a class="tab" href="#panel-id">
 *   links and <section class="tab-panel" id="panel-id"> panels becomes an ARIA
 *   tab widget (arrow keys, Home/End; the open tab is kept in the URL hash);
 * - job progress: <div data-job-poll="/jobs/12" data-job-status="running">
 *   with a <progress> and [data-job-progress-text] polls the job's JSON every
 *   2 s and reloads the page when the job's status changes;
 * - list refresh: <div id="..." data-refresh-fragment data-active="true">
 *   is replaced every few seconds by the same element fetched from the
 *   same URL (header X-Scpln-Fragment: 1); it stops when data-active is not
 *   "true" and pauses while the tab is hidden;
 * - select-to-compare: <form data-compare-form data-compare-min="2"> enables
 *   its [data-compare-submit] button once enough checkboxes are ticked and
 *   shows the count in [data-compare-count];
 * - <form data-confirm="Question?"> asks before submitting;
 * - <form data-autosubmit> submits when one of its selects changes;
 * - a closed <details> the address points at (#create-plan) opens.
 */
(function () {
  "use strict";

  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === name) {
        return parts[i].slice(eq + 1).replace(/^"|"$/g, "");
      }
    }
    return null;
  }

  function rememberBrowserTimeZone() {
    var zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (e) {
      return;
    }
    if (!zone || !/^[A-Za-z0-9_+\-\/]+$/.test(zone)) return;
    if (readCookie("scpln_tz_source") === "user" || readCookie("scpln_tz") === zone) return;
    document.cookie = "scpln_tz=" + zone + "; path=/; max-age=31536000; samesite=lax";
  }

  function setUpTabs(container) {
    var links = Array.prototype.slice.call(container.querySelectorAll("a.tab"));
    var panels = links.map(function (link) {
      return document.getElementById(link.getAttribute("href").slice(1));
    });
    if (!links.length || panels.indexOf(null) !== -1) return;
    var list = links[0].closest("ul, ol, div");
    list.setAttribute("role", "tablist");
    Array.prototype.forEach.call(list.children, function (child) {
      if (child.tagName === "LI") child.setAttribute("role", "presentation");
    });

    function select(index, focus, updateHash) {
      links.forEach(function (link, i) {
        var on = i === index;
        link.setAttribute("aria-selected", on ? "true" : "false");
        link.tabIndex = on ? 0 : -1;
        panels[i].hidden = !on;
      });
      if (focus) links[index].focus();
      if (updateHash && history.replaceState) {
        history.replaceState(null, "", "#" + panels[index].id);
      }
    }

    links.forEach(function (link, i) {
      if (!link.id) link.id = panels[i].id + "-tab";
      link.setAttribute("role", "tab");
      link.setAttribute("aria-controls", panels[i].id);
      panels[i].setAttribute("role", "tabpanel");
      panels[i].setAttribute("aria-labelledby", link.id);
      panels[i].tabIndex = 0;
      link.addEventListener("click", function (event) {
        event.preventDefault();
        select(i, false, true);
      });
      link.addEventListener("keydown", function (event) {
        var next = null;
        if (event.key === "ArrowRight") next = (i + 1) % links.length;
        else if (event.key === "ArrowLeft") next = (i - 1 + links.length) % links.length;
        else if (event.key === "Home") next = 0;
        else if (event.key === "End") next = links.length - 1;
        if (next !== null) {
          event.preventDefault();
          select(next, true, true);
        }
      });
    });

    // The tab holding the element the address points at (a panel or a table in
    // it), else the one the server asks for (a form with errors), else the first.
    var wanted = null;
    try {
      wanted = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
    } catch (e) {
      wanted = null;
    }
    var start = 0;
    panels.forEach(function (panel, i) {
      if (wanted ? panel.contains(wanted) : container.dataset.tabsOpen === panel.id) start = i;
    });
    select(start, false, false);
  }

  function pollJob(box) {
    var url = box.dataset.jobPoll;
    var shown = box.dataset.jobStatus;
    var bar = box.querySelector("progress");
    var text = box.querySelector("[data-job-progress-text]");

    function tick() {
      if (document.hidden) {
        setTimeout(tick, 2000);
        return;
      }
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (job) {
          if (job.status !== shown) {
            location.reload();
            return;
          }
          if (bar) {
            bar.value = job.progress;
            bar.textContent = job.progress + "%";
          }
          if (text) {
            text.textContent = job.progress + " %" + (job.progress_message ? " — " + job.progress_message : "");
          }
          setTimeout(tick, 2000);
        })
        .catch(function () {
          setTimeout(tick, 10000);
        });
    }
    if (shown === "queued" || shown === "running") setTimeout(tick, 2000);
  }

  function refreshFragment(box) {
    var interval = parseInt(box.dataset.interval || "4000", 10);
    var id = box.id;

    function tick() {
      var current = document.getElementById(id);
      if (!current || current.dataset.active !== "true") return;
      if (document.hidden) {
        setTimeout(tick, interval);
        return;
      }
      fetch(location.href, { headers: { "X-Scpln-Fragment": "1" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.text();
        })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById(id);
          if (fresh) current.replaceWith(fresh);
          setTimeout(tick, interval);
        })
        .catch(function () {
          setTimeout(tick, interval * 4);
        });
    }
    setTimeout(tick, interval);
  }

  function setUpCompare(form) {
    var min = parseInt(form.dataset.compareMin || "2", 10);
    var button = form.querySelector("[data-compare-submit]");
    var count = form.querySelector("[data-compare-count]");

    function update() {
      var n = form.querySelectorAll("input[type=checkbox][name]:checked").length;
      if (button) button.disabled = n < min;
      if (count) count.textContent = String(n);
    }
    form.addEventListener("change", update);
    update();
  }

  function openTargetDetails() {
    var target = null;
    try {
      target = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
    } catch (e) {
      return;
    }
    if (target && target.tagName === "DETAILS") target.open = true;
  }

  document.addEventListener("DOMContentLoaded", function () {
    rememberBrowserTimeZone();
    openTargetDetails();
    window.addEventListener("hashchange", openTargetDetails);
    document.querySelectorAll("[data-tabs]").forEach(setUpTabs);
    document.querySelectorAll("[data-job-poll]").forEach(pollJob);
    document.querySelectorAll("[data-refresh-fragment]").forEach(refreshFragment);
    document.querySelectorAll("form[data-compare-form]").forEach(setUpCompare);
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
    document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
      select.addEventListener("change", function () {
        select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit();
      });
    });
  });
})();
