// The accessibility guard: axe-core on every page of the running app, as a visitor, a
// learner, a trainer and staff, each page at 1280 and 320 pixels wide. Any violation,
// or a page that will not load, fails the run. run.sh serves the app with the demo data.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const BASE = (process.env.BASE_URL || "http://127.0.0.1:5077").replace(/\/$/, "");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const PASSWORD = process.env.DEMO_PASSWORD || "medway-training-demo";
const WIDTHS = [1280, 320];

// Who signs in (null: nobody), and the pages each sees. A page is a path, or
// [start page, link pattern, ...] for one found by following the first link matching
// each pattern in turn, or
// {path, expect} for a page that answers with an error status on purpose, or
// {path, submit} for a form sent empty to see its error messages.
const ROLES = {
  visitor: {
    email: null,
    pages: [
      "/",
      "/courses",
      "/courses?q=adhd&available=1",
      { path: "/courses?month=not-a-month", expect: 400 },
      "/courses/living-with-adhd",
      "/courses/autism-awareness",
      "/brochures",
      "/news",
      ["/news", /^\/news\/[a-z0-9-]+$/],
      "/contact",
      { path: "/contact", submit: "main form", expect: 400 },
      "/contact/thanks",
      {
        path: "/courses/autism-awareness",
        submit: "section[aria-labelledby=new-dates] form",
        expect: 400,
      },
      "/interest/unsubscribe/no-such-token",
      { path: "/interest/confirm/no-such-token", expect: 404 },
      "/privacy",
      "/accessibility",
      "/auth/login",
      { path: "/auth/login", submit: "main form", expect: 400 },
      "/auth/register",
      "/auth/reset",
      { path: "/no-such-page", expect: 404 },
    ],
  },
  learner: {
    email: "learner@example.org",
    pages: [
      "/",
      "/account",
      "/account/bookings",
      "/account/erase",
      ["/account/bookings", /^\/bookings\/[A-Z0-9]+-[A-Z0-9]+$/],
      ["/account/bookings", /^\/bookings\/[A-Z0-9-]+\/cancel$/],
      ["/courses/safeguarding-children", /^\/sessions\/\d+\/book$/],
      "/courses/living-with-adhd",
      "/courses/autism-awareness",
      "/contact",
      { path: "/staff", expect: 403 },
    ],
  },
  trainer: {
    email: "sam.okafor@example.org",
    pages: [
      "/trainer/sessions",
      ["/trainer/sessions", /^\/trainer\/sessions\/\d+$/],
      ["/trainer/sessions", /^\/trainer\/sessions\/\d+$/, /^\/trainer\/sessions\/\d+\/register$/],
      "/account",
    ],
  },
  staff: {
    email: "staff@example.org",
    pages: [
      "/staff",
      "/staff/courses",
      "/staff/courses/new",
      { path: "/staff/courses/new", submit: "main form", expect: 400 },
      ["/staff/courses", /^\/staff\/courses\/\d+\/edit$/],
      "/staff/sessions",
      "/staff/sessions?show=past",
      "/staff/sessions/new",
      ["/staff/sessions", /^\/staff\/sessions\/\d+\/edit$/],
      ["/staff/sessions", /^\/staff\/sessions\/\d+\/reschedule$/],
      ["/staff/sessions", /^\/staff\/sessions\/\d+\/cancel$/],
      "/staff/sessions?course_q=safeguarding",
      "/staff/bookings",
      "/staff/bookings?course_q=adhd",
      { path: "/staff/bookings?course_q=no+such+course", expect: 400 },
      "/staff/bookings/new",
      ["/staff/bookings", /^\/staff\/bookings\/\d+\/cancel$/],
      ["/staff/bookings", /^\/staff\/bookings\/\d+\/move$/],
      "/staff/users",
      ["/staff/users", /^\/staff\/users\/\d+$/],
      "/staff/news",
      "/staff/news/new",
      ["/staff/news", /^\/staff\/news\/\d+\/edit$/],
      ["/staff/news", /^\/staff\/news\/\d+\/delete$/],
      "/staff/outbox",
      "/staff/outbox?show=sent",
      "/staff/import",
      "/staff/exports",
      "/staff/brochures",
      "/staff/enquiries",
      "/staff/enquiries?show=answered",
      "/staff/enquiries?show=spam",
      ["/staff/enquiries", /^\/staff\/enquiries\/\d+$/],
      ["/staff/enquiries?show=spam", /^\/staff\/enquiries\/\d+$/],
      "/staff/interest",
      "/courses/autism-awareness",
    ],
  },
};

const problems = [];
let passed = 0;

async function open(page, path, expect = 200) {
  const response = await page.goto(BASE + path, { waitUntil: "load" });
  const status = response ? response.status() : 0;
  if (status !== expect) throw new Error(`${path} answered ${status}, not ${expect}`);
}

async function signIn(page, email) {
  await open(page, "/auth/login");
  await page.type("#email", email);
  await page.type("#password", PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click("main form button[type=submit]")]);
  const signedIn = await page.$("form[action='/auth/logout']");
  if (!signedIn) throw new Error(`could not sign in as ${email}`);
}

async function linkLike(page, start, ...patterns) {
  let path = start;
  for (const pattern of patterns) {
    await open(page, path);
    const hrefs = await page.$$eval("a[href]", (links) =>
      links.map((a) => new URL(a.href).pathname),
    );
    const found = hrefs.find((href) => pattern.test(href));
    if (!found) throw new Error(`no link like ${pattern} on ${path}`);
    path = found;
  }
  return path;
}

async function show(page, entry) {
  // Brings the page into the browser; returns its name for the report.
  if (typeof entry === "string") {
    await open(page, entry);
    return entry;
  }
  if (Array.isArray(entry)) {
    const path = await linkLike(page, ...entry);
    await open(page, path);
    return path;
  }
  if (entry.submit) {
    await open(page, entry.path);
    await Promise.all([
      page.waitForNavigation(),
      page.$eval(entry.submit, (form) => form.requestSubmit()),
    ]);
    return `${entry.path} (sent empty)`;
  }
  await open(page, entry.path, entry.expect);
  return entry.path;
}

async function violations(page) {
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) {
    await page.evaluate(AXE_SOURCE);
  }
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
    }));
  });
}

async function checkRole(browser, role, { email, pages }) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  page.setDefaultTimeout(30000);
  // Pages forbid scripts; the checker's own script is let in.
  await page.setBypassCSP(true);
  try {
    if (email) await signIn(page, email);
    for (const width of WIDTHS) {
      await page.setViewport({ width, height: 900 });
      for (const entry of pages) {
        const where = `${role} ${width}px`;
        let name = JSON.stringify(entry);
        try {
          name = await show(page, entry);
          const found = await violations(page);
          if (found.length === 0) {
            passed += 1;
            continue;
          }
          for (const v of found) {
            problems.push(`${where} ${name}: ${v.id} (${v.impact}) ${v.help}\n    ${v.targets.join("\n    ")}`);
          }
        } catch (error) {
          problems.push(`${where} ${name}: could not check: ${error.message}`);
        }
      }
    }
  } finally {
    await context.close();
  }
}

const browser = await puppeteer.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--no-first-run",
    "--mute-audio",
  ],
});
try {
  for (const [role, spec] of Object.entries(ROLES)) {
    await checkRole(browser, role, spec);
  }
} finally {
  await browser.close();
}

for (const problem of problems) console.log(problem);
console.log(`axe: ${passed} passed, ${problems.length} failed`);
process.exit(problems.length ? 1 : 0);
