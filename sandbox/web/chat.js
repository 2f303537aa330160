// The sandbox web chat: act as users, talk to bots, press buttons, pay invoices, watch edits live.
"use strict";

const state = { bots: [], users: [], channels: [], botId: null, view: null, lastUserId: null, blocked: false,
  atBottom: true, ownScrollTop: -1 };
const $ = (id) => document.getElementById(id);

// The sandbox takes changes only from its own page: this run's token comes with the page.
const RUN_TOKEN = (document.querySelector('meta[name="sandbox-run-token"]') || {}).content || "";

async function api(method, path, body) {
  const options = { method, headers: { "X-Sandbox-Token": RUN_TOKEN } };
  if (method !== "GET") {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body === undefined ? {} : body);
  }
  const response = await fetch(path, options);
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || data.description || response.statusText);
  return data;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function initials(name) { return (name || "?").trim().slice(0, 1).toUpperCase(); }

function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.classList.add("shown");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => box.classList.remove("shown"), 2600);
}

function botQuery() { return state.botId ? `?bot_id=${state.botId}` : ""; }
function withBot(body) { if (state.botId) body.bot_id = state.botId; return body; }

// --- formatted text: Telegram entities use UTF-16 offsets, like JavaScript strings ----------------
const TAGS = { bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code", pre: "pre",
  spoiler: "span", blockquote: "blockquote", expandable_blockquote: "blockquote", text_link: "a", url: "a" };

// Bare links in a message are clickable as in Telegram's apps, even without a url entity.
const BARE_LINK = /(?:https?:\/\/|\bt\.me\/)[^\s<>"]+[^\s<>".,;:!?)\]'}]/g;

function linkHref(text) { return /^https?:\/\//i.test(text) ? text : `https://${text}`; }

function appendText(parent, text) {
  if (parent.closest && parent.closest("a")) { parent.append(document.createTextNode(text)); return; }
  let position = 0;
  for (const match of text.matchAll(BARE_LINK)) {
    parent.append(document.createTextNode(text.slice(position, match.index)));
    const link = el("a", "", match[0]);
    link.href = linkHref(match[0]);
    link.target = "_blank";
    parent.append(link);
    position = match.index + match[0].length;
  }
  parent.append(document.createTextNode(text.slice(position)));
}

function renderText(text, entities) {
  const container = el("span");
  const marks = [];
  for (const entity of entities || []) {
    if (!TAGS[entity.type]) continue;
    marks.push({ at: entity.offset, open: true, entity }, { at: entity.offset + entity.length, open: false, entity });
  }
  marks.sort((a, b) => a.at - b.at || (a.open === b.open ? 0 : a.open ? 1 : -1));
  const stack = [container];
  let position = 0;
  for (const mark of marks) {
    appendText(stack[stack.length - 1], text.slice(position, mark.at));
    position = mark.at;
    if (mark.open) {
      const node = el(TAGS[mark.entity.type], mark.entity.type === "spoiler" ? "spoiler" : "");
      if (node.tagName === "A") { node.href = linkHref(mark.entity.url || text.substr(mark.entity.offset, mark.entity.length)); node.target = "_blank"; }
      stack[stack.length - 1].append(node);
      stack.push(node);
    } else if (stack.length > 1) {
      stack.pop();
    }
  }
  appendText(stack[stack.length - 1], text.slice(position));
  return container;
}

function money(amount, currency) {
  if (currency === "XTR") return `\u2605 ${amount}`;
  try {
    const format = new Intl.NumberFormat(undefined, { style: "currency", currency });
    const digits = format.resolvedOptions().maximumFractionDigits;
    return format.format(amount / 10 ** digits);
  } catch (error) {
    return `${amount} ${currency}`;
  }
}

function paymentNote(outcome) {
  if (outcome.status === "paid") return "Payment successful";
  return `Payment ${outcome.status}${outcome.error_message ? ": " + outcome.error_message : ""}`;
}

function time(date) {
  return new Date(date * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

// --- one message ---------------------------------------------------------------------------------
function renderMessage(message) {
  const outgoing = !(message.from && message.from.is_bot) && !message.sender_chat;
  const row = el("div", outgoing ? "row out" : "row in");
  row.dataset.mid = message.message_id;
  if (message.successful_payment) {
    const p = message.successful_payment;
    row.className = "row service-row";
    row.append(el("div", "service", `Paid ${money(p.total_amount, p.currency)}${p.is_recurring ? " \u00B7 subscription" : ""}`));
    return row;
  }
  if (message.refunded_payment) {
    const p = message.refunded_payment;
    row.className = "row service-row";
    row.append(el("div", "service", `Refunded ${money(p.total_amount, p.currency)}`));
    return row;
  }
  if (message.chat_shared) {
    const shared = message.chat_shared;
    row.className = "row service-row";
    row.append(el("div", "service", `Shared the chat ${shared.title || shared.chat_id}`));
    return row;
  }
  const bubble = el("div", "bubble");
  if (message.photo) {
    const largest = message.photo[message.photo.length - 1];
    const image = el("img");
    // The image gets its height only when it has loaded: keep the newest message in view then too.
    image.addEventListener("load", () => { if (state.atBottom) scrollToEnd(); });
    image.src = `/sandbox/files/${encodeURIComponent(largest.file_id)}`;
    image.alt = message.caption || "photo";
    bubble.append(image);
  }
  if (message.document) {
    const doc = el("a", "document");
    doc.href = `/sandbox/files/${encodeURIComponent(message.document.file_id)}`;
    doc.download = message.document.file_name || "file";
    doc.append(el("span", "icon", "\u2B07"), el("span", "", message.document.file_name || "file"));
    bubble.append(doc);
  }
  const rows = (message.reply_markup && message.reply_markup.inline_keyboard) || [];
  if (message.invoice) {
    bubble.classList.add("invoice");
    const invoice = message.invoice;
    bubble.append(el("div", "title", invoice.title), el("div", "desc", invoice.description),
      el("div", "amount", money(invoice.total_amount, invoice.currency)));
    // The bot's own pay button (Telegram puts it first) takes the place of the default one.
    const own = rows.flat().find((button) => button.pay);
    const pay = el("button", "pay", own ? own.text : `Pay ${money(invoice.total_amount, invoice.currency)}`);
    pay.onclick = () => payInvoice(message.message_id, false);
    const fail = el("a", "fail", "simulate a failed payment");
    fail.onclick = () => payInvoice(message.message_id, true);
    bubble.append(pay, fail);
  }
  if (message.text !== undefined) bubble.append(renderText(message.text, message.entities));
  if (message.caption) bubble.append(renderText(message.caption, message.caption_entities));
  const meta = el("div", "meta", message.edit_date ? `edited ${time(message.edit_date)}` : time(message.date));
  if (message.edit_date) meta.title = `sent ${time(message.date)}, edited ${time(message.edit_date)}`;
  bubble.append(meta);
  row.append(bubble);
  const shown = rows.map((buttons) => buttons.filter((button) => !(message.invoice && button.pay)))
    .filter((buttons) => buttons.length);
  if (shown.length) {
    const keyboard = el("div", "keyboard");
    for (const buttons of shown) {
      const line = el("div", "krow");
      for (const button of buttons) {
        const b = el("button", "", button.text + (button.url ? " \u2197" : ""));
        b.onclick = () => (button.url ? openUrl(button.url) : pressButton(message.message_id, button));
        line.append(b);
      }
      keyboard.append(line);
    }
    row.append(keyboard);
  }
  return row;
}

function upsert(message) {
  const list = $("messages");
  const empty = list.querySelector(".empty");
  if (empty) empty.remove();
  const fresh = renderMessage(message);
  const old = list.querySelector(`[data-mid="${message.message_id}"]`);
  if (old) old.replaceWith(fresh); else list.append(fresh);
  scrollToEnd();
}

function scrollToEnd() {
  const list = $("messages");
  list.scrollTop = list.scrollHeight;
  state.atBottom = true;
  state.ownScrollTop = list.scrollTop;
}

function notePayment(outcome) {
  // A payment that did not go through leaves no message: say why, as Telegram's app does.
  if (outcome.status === "paid") return;
  const row = el("div", "row service-row");
  row.append(el("div", "service", paymentNote(outcome)));
  $("messages").append(row);
  scrollToEnd();
}

function showMessages(messages, emptyText) {
  const list = $("messages");
  list.replaceChildren();
  if (!messages.length) list.append(el("div", "empty", emptyText));
  messages.forEach(upsert);
}

function showReplyKeyboard(markup) {
  const box = $("reply-keyboard");
  box.replaceChildren();
  const rows = (markup && markup.keyboard) || [];
  box.classList.toggle("shown", rows.length > 0);
  for (const buttons of rows) {
    const line = el("div", "krow");
    for (const button of buttons) {
      const label = typeof button === "string" ? button : button.text;
      const b = el("button", "", label);
      if (button.request_chat) {
        b.onclick = () => openChatPicker(label);  // Telegram's apps open a list of chats that fit
      } else {
        b.onclick = () => api("POST", `/sandbox/users/${state.view.id}/press`, withBot({ text: label, wait: 0 }))
          .catch((error) => toast(error.message));
      }
      line.append(b);
    }
    box.append(line);
  }
}

// A "choose a chat" button: the chats its request fits, as Telegram's picker lists them; one tap shares it.
async function openChatPicker(label) {
  const box = $("reply-keyboard");
  box.querySelector(".chat-picker")?.remove();
  const picker = el("div", "chat-picker");
  picker.append(el("div", "picker-title", label));
  try {
    const query = new URLSearchParams(withBot({ button: label }));
    const chats = await api("GET", `/sandbox/users/${state.view.id}/shareable_chats?${query}`);
    if (!chats.length) picker.append(el("div", "empty", "No chats fit this request."));
    for (const chat of chats) {
      const choice = el("button", "", chat.title + (chat.username ? ` (@${chat.username})` : ""));
      choice.onclick = () => api("POST", `/sandbox/users/${state.view.id}/share_chat`,
        withBot({ button: label, chat_id: chat.id }))
        .then(() => picker.remove()).catch((error) => toast(error.message));
      picker.append(choice);
    }
  } catch (error) {
    toast(error.message);
    return;
  }
  const close = el("button", "picker-close", "Close");
  close.onclick = () => picker.remove();
  picker.append(close);
  box.append(picker);
}

// --- actions -------------------------------------------------------------------------------------
async function sendText(text) {
  if (!state.view || !text.trim()) return;
  try {
    if (state.view.kind === "user") {
      await api("POST", `/sandbox/users/${state.view.id}/send`, withBot({ text }));
    } else {
      await api("POST", `/sandbox/channels/${state.view.id}/post`, { user_id: state.lastUserId, text });
    }
  } catch (error) { toast(error.message); }
}

function base64Of(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1] || "");
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

async function sendFile(file) {
  // Images go as photos (a QR to verify), anything else as a document (a CSV of claims).
  if (!state.view || state.view.kind !== "user") return;
  const field = file.type.startsWith("image/") ? "photo" : "document";
  try {
    const body = withBot({ [`${field}_base64`]: await base64Of(file), file_name: file.name,
      mime_type: file.type || "application/octet-stream" });
    await api("POST", `/sandbox/users/${state.view.id}/send_${field}`, body);
  } catch (error) { toast(error.message); }
}

async function pressButton(messageId, button) {
  if (button.url) { window.open(button.url, "_blank"); return; }
  if (state.view.kind === "channel") {
    try {
      const result = await api("POST", `/sandbox/channels/${state.view.id}/press`,
        { user_id: state.lastUserId, message_id: messageId, callback_data: button.callback_data, wait: 10 });
      if (result.answer && result.answer.text) toast(result.answer.text);
    } catch (error) { toast(error.message); }
    return;
  }
  try {
    const result = await api("POST", `/sandbox/users/${state.view.id}/press`,
      withBot({ message_id: messageId, callback_data: button.callback_data || button.text, wait: 10 }));
    if (result.answer && result.answer.text) toast(result.answer.text);
    if (result.payment) toast(paymentNote(result.payment));
  } catch (error) { toast(error.message); }
}

function showingUser(userId) {
  return Boolean(state.view && state.view.kind === "user" && state.view.id === userId);
}

async function openUrl(url) {
  // Invoice links and the bot's own deep links act inside the sandbox; other links open a tab.
  if (!state.lastUserId) { window.open(url, "_blank"); return; }
  try {
    const result = await api("POST", `/sandbox/users/${state.lastUserId}/open_url`, withBot({ url }));
    if (result.payment) { toast(paymentNote(result.payment)); return; }
    // The person's message and the bot's answer arrive by the event stream; redrawing the chat they are
    // already in would only race those events (and move what they are about to click).
    if (result.message_id) { if (!showingUser(state.lastUserId)) openUser(state.lastUserId); return; }
    window.open(url, "_blank");
  } catch (error) { toast(error.message); }
}

async function payInvoice(messageId, fail) {
  toast("Paying\u2026");
  try {
    const outcome = await api("POST", `/sandbox/users/${state.view.id}/pay`, withBot({ message_id: messageId, fail }));
    toast(paymentNote(outcome));
  } catch (error) { toast(error.message); }
}

async function toggleBlock() {
  const action = state.blocked ? "unblock" : "block";
  try {
    await api("POST", `/sandbox/users/${state.view.id}/${action}`, withBot({}));
    state.blocked = !state.blocked;
    renderHeaderActions();
  } catch (error) { toast(error.message); }
}

// --- Stars subscriptions: renew a period or cancel, as Telegram does at the end of each month ------
async function toggleSubscriptions() {
  const panel = $("subscriptions");
  if (panel.classList.toggle("shown")) await showSubscriptions();
}

async function showSubscriptions() {
  const panel = $("subscriptions");
  panel.replaceChildren(el("h3", "", "Stars subscriptions"));
  const userId = state.view.id;
  const items = (await api("GET", `/sandbox/users/${userId}/subscriptions`)).filter((s) => s.bot_id === state.botId);
  if (!items.length) panel.append(el("p", "muted", "None yet. Pay a subscription invoice link first."));
  for (const item of items) {
    const charge = item.telegram_payment_charge_ids[0];
    const row = el("div", "subscription");
    const until = new Date(item.expires_at * 1000).toLocaleDateString();
    const status = item.is_canceled ? "cancelled" : `renews ${until}`;
    row.append(el("div", "", `${item.title} \u00B7 \u2605 ${item.amount} \u00B7 ${status}`));
    const renew = el("button", "", "Renew now");
    renew.disabled = item.is_canceled;
    renew.onclick = async () => {
      const outcome = await api("POST", `/sandbox/users/${userId}/subscriptions/renew`, { telegram_payment_charge_id: charge });
      toast(`Renewal ${outcome.status}`);
      showSubscriptions();
    };
    const cancel = el("button", "secondary", item.canceled_by_user ? "Resume" : "Cancel");
    cancel.onclick = async () => {
      await api("POST", `/sandbox/users/${userId}/subscriptions/cancel`,
        { telegram_payment_charge_id: charge, canceled: !item.canceled_by_user });
      showSubscriptions();
    };
    row.append(renew, cancel);
    panel.append(row);
  }
}

// --- views ---------------------------------------------------------------------------------------
function renderHeaderActions() {
  const box = $("header-actions");
  box.replaceChildren();
  if (!state.view) return;
  if (state.view.kind === "user") {
    const subscriptions = el("button", "secondary", "Subscriptions");
    subscriptions.onclick = toggleSubscriptions;
    const block = el("button", "secondary", state.blocked ? "Unblock bot" : "Block bot");
    block.onclick = toggleBlock;
    box.append(subscriptions, block);
    return;
  }
  const channel = state.channels.find((c) => c.id === state.view.id);
  const admin = el("button", "secondary", "Add bot as admin");
  admin.onclick = () => api("POST", `/sandbox/channels/${state.view.id}/admins`, withBot({})).then(() => toast("Bot is an admin now"), (e) => toast(e.message));
  const join = el("button", "secondary", "Join");
  join.onclick = () => api("POST", `/sandbox/channels/${state.view.id}/join`, { user_id: state.lastUserId }).then(() => { toast("Joined"); describeChannel(channel); }, (e) => toast(e.message));
  const leave = el("button", "secondary", "Leave");
  leave.onclick = () => api("POST", `/sandbox/channels/${state.view.id}/leave`, { user_id: state.lastUserId }).then(() => { toast("Left"); describeChannel(channel); }, (e) => toast(e.message));
  box.append(admin, join, leave);
  describeChannel(channel);
}

async function describeChannel(channel) {
  if (!channel) return;
  const info = await api("GET", `/sandbox/channels/${channel.id}/members`);
  const me = info.members.find((m) => m.user.id === state.lastUserId);
  const role = me ? (me.status === "creator" ? "you own it" : "you are a member") : "you are not a member";
  const name = channel.username ? `@${channel.username}` : "channel";
  $("chat-subtitle").textContent = `${name} \u00B7 ${info.members.length} members \u00B7 ${role}`;
  const owner = me && me.status === "creator";
  $("text-input").disabled = !owner;
  $("text-input").placeholder = owner ? "Post to the channel" : "Only the owner posts here";
}

async function openUser(userId) {
  state.view = { kind: "user", id: userId };
  $("subscriptions").classList.remove("shown");
  $("text-input").disabled = false;
  $("text-input").placeholder = "Message";
  state.lastUserId = userId;
  const user = state.users.find((u) => u.id === userId);
  const bot = state.bots.find((b) => b.id === state.botId);
  $("chat-avatar").textContent = initials(bot ? bot.first_name : "?");
  $("chat-title").textContent = bot ? bot.first_name : "No bot yet";
  $("chat-subtitle").textContent = `${bot ? "@" + bot.username : ""} \u00B7 as ${user ? user.first_name : userId}`;
  renderLists();
  if (!state.botId) { showMessages([], "No bot is registered yet."); return; }
  const [messages, chatState] = await Promise.all([
    api("GET", `/sandbox/users/${userId}/chat${botQuery()}`),
    api("GET", `/sandbox/users/${userId}/state${botQuery()}`)]);
  state.blocked = chatState.blocked;
  showMessages(messages, "Say /start to begin.");
  showReplyKeyboard(chatState.reply_keyboard);
  renderHeaderActions();
  $("text-input").focus();
}

async function openChannel(channelId) {
  state.view = { kind: "channel", id: channelId };
  $("subscriptions").classList.remove("shown");
  const channel = state.channels.find((c) => c.id === channelId);
  $("chat-avatar").textContent = initials(channel ? channel.title : "#");
  $("chat-title").textContent = channel ? channel.title : "Channel";
  renderLists();
  renderHeaderActions();
  showReplyKeyboard(null);
  showMessages(await api("GET", `/sandbox/channels/${channelId}/messages`), "No posts yet.");
}

function renderLists() {
  const users = $("user-list");
  users.replaceChildren();
  for (const user of state.users) {
    const item = el("li");
    item.dataset.userId = user.id;
    if (state.view && state.view.kind === "user" && state.view.id === user.id) item.classList.add("active");
    const label = el("div");
    label.append(el("span", "", user.first_name), el("small", "", `${user.language_code || ""} \u00B7 ${user.id}`));
    item.append(el("div", "avatar", initials(user.first_name)), label);
    item.onclick = () => openUser(user.id);
    users.append(item);
  }
  const channels = $("channel-list");
  channels.replaceChildren();
  for (const channel of state.channels) {
    const item = el("li");
    if (state.view && state.view.kind === "channel" && state.view.id === channel.id) item.classList.add("active");
    item.append(el("div", "avatar", "#"), el("span", "", channel.title));
    item.onclick = () => openChannel(channel.id);
    channels.append(item);
  }
}

function refreshSoon() {
  // Tests may add many users at once: one refresh for a burst of them.
  clearTimeout(refreshSoon.timer);
  refreshSoon.timer = setTimeout(async () => {
    const hadBot = state.botId;
    await refreshDirectory();
    if (!hadBot && state.botId && state.view && state.view.kind === "user") openUser(state.view.id);
  }, 150);
}

async function refreshDirectory() {
  [state.bots, state.users, state.channels] = await Promise.all([
    api("GET", "/sandbox/bots"), api("GET", "/sandbox/users"), api("GET", "/sandbox/channels")]);
  const picker = $("bot-picker");
  picker.replaceChildren();
  for (const bot of state.bots) {
    const option = el("option", "", `${bot.first_name} (@${bot.username})`);
    option.value = bot.id;
    picker.append(option);
  }
  if (!state.bots.some((b) => b.id === state.botId)) state.botId = state.bots.length ? state.bots[0].id : null;
  if (state.botId) picker.value = state.botId;
  renderLists();
}

// --- live events ---------------------------------------------------------------------------------
function inView(chat) {
  if (!state.view) return false;
  if (chat.kind === "channel") return state.view.kind === "channel" && state.view.id === chat.chat_id;
  return state.view.kind === "user" && state.view.id === chat.user_id && state.botId === chat.bot_id;
}

function onEvent(event) {
  if (event.type === "directory") { refreshSoon(); return; }
  if (!inView(event.chat)) return;
  if (event.type === "message" || event.type === "edit") upsert(event.message);
  if (event.type === "delete") {
    const node = $("messages").querySelector(`[data-mid="${event.message_id}"]`);
    if (node) node.remove();
  }
  if (event.type === "keyboard") showReplyKeyboard(event.reply_keyboard);
  if (event.type === "payment") notePayment(event.outcome);
  if (event.type === "chat_action") {
    $("chat-subtitle").innerHTML = '<span class="typing">typing\u2026</span>';
    setTimeout(() => { if (state.view) openUserSubtitle(); }, 2500);
  }
}

function openUserSubtitle() {
  if (!state.view || state.view.kind !== "user") return;
  const user = state.users.find((u) => u.id === state.view.id);
  const bot = state.bots.find((b) => b.id === state.botId);
  $("chat-subtitle").textContent = `${bot ? "@" + bot.username : ""} \u00B7 as ${user ? user.first_name : ""}`;
}

function listen() {
  const source = new EventSource("/sandbox/events");
  source.onmessage = (message) => onEvent(JSON.parse(message.data));
}

// --- wiring --------------------------------------------------------------------------------------
$("messages").addEventListener("scroll", () => {
  const list = $("messages");
  // The scroll event of our own scrollToEnd arrives later, perhaps after an image above the end has grown:
  // it is not the person scrolling away from the newest message.
  if (list.scrollTop === state.ownScrollTop) return;
  state.atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
});
$("messages").addEventListener("click", (event) => {
  // A t.me link (the bot's deep link, an invoice link) acts as the person in this chat; others open a tab.
  const link = event.target.closest("a[href]");
  if (!link || link.classList.contains("document") || !/^https?:\/\/t\.me\//i.test(link.href)) return;
  event.preventDefault();
  openUrl(link.href);
});
$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("text-input");
  sendText(input.value);
  input.value = "";
});
$("photo-input").addEventListener("change", (event) => {
  const file = event.target.files[0];
  if (file) sendFile(file);
  event.target.value = "";
});
$("new-user").addEventListener("submit", async (event) => {
  event.preventDefault();
  const user = await api("POST", "/sandbox/users", { first_name: $("new-user-name").value, language_code: $("new-user-lang").value });
  $("new-user-name").value = "";
  await refreshDirectory();
  openUser(user.id);
});
$("new-channel").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!state.lastUserId) { toast("Pick a person first: they will own the channel"); return; }
  try {
    const channel = await api("POST", "/sandbox/channels", { title: $("new-channel-title").value, owner_id: state.lastUserId });
    $("new-channel-title").value = "";
    await refreshDirectory();
    openChannel(channel.id);
  } catch (error) { toast(error.message); }
});
$("bot-picker").addEventListener("change", (event) => {
  state.botId = Number(event.target.value);
  if (state.view && state.view.kind === "user") openUser(state.view.id);
});

refreshDirectory().then(listen);
