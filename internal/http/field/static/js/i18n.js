// i18n.js: the app's messages in Chinese (the default) and English; the
// choice is kept in localStorage.
const zh = {
  "app.name": "社管通", "nav.todo": "待办", "nav.new": "采集", "nav.base": "基础数据", "nav.me": "我的",
  "net.online": "在线", "net.offline": "离线", "outbox": "待发送",
  "login.title": "登录社管通", "login.user": "用户名", "login.pass": "密码", "login.submit": "登录",
  "login.offline": "离线时无法登录，请联网后再试。", "logout": "退出登录",
  "logout.confirm": "还有未发送的内容，退出会删除它们。确定退出？",
  "todo.title": "我的待办", "todo.empty": "暂无待办", "todo.cached": "离线：显示上次同步的待办",
  "task.accept": "受理", "task.sign": "签收", "task.handle": "办理", "task.verify": "核查",
  "new.title": "采集上报", "new.category": "类别", "new.desc": "问题描述", "new.address": "地址",
  "new.grid": "网格", "new.photos": "现场照片", "new.audio": "语音", "new.video": "短视频",
  "new.gps": "获取定位", "new.map": "在地图上选点", "new.submit": "上报", "new.saved": "已保存，联网后自动发送",
  "new.accuracy": "精度约 {m} 米", "new.nogps": "无法定位：{e}", "new.picked": "已选点",
  "new.nocats": "类别尚未同步，请联网后打开一次", "choose": "请选择",
  "case.title": "案件", "case.note": "说明", "case.photos": "现场照片", "case.pass": "核查通过", "case.fail": "核查不通过",
  "act.sign": "签收", "act.feedback": "反馈办理结果", "act.verify": "核查", "act.return": "退回",
  "act.report": "上报", "act.escalate": "上报上级", "act.queued": "已加入待发送",
  "outbox.title": "待发送", "outbox.empty": "全部已发送", "outbox.waiting": "等待发送", "outbox.failed": "发送失败",
  "outbox.retry": "修改后重试", "outbox.discard": "放弃", "outbox.sync": "立即发送", "outbox.files": "{n} 个附件",
  "kind.case": "采集案件", "kind.transition": "案件办理", "kind.visit": "走访记录", "kind.verify": "核对",
  "base.title": "网格基础数据", "base.people": "人员", "base.houses": "房屋", "base.orgs": "组织",
  "base.name": "姓名（前缀）", "base.id": "身份证号", "base.search": "查询", "base.none": "没有结果",
  "base.online": "查询基础数据需要联网", "base.verify": "核对无误", "base.visit": "记录走访",
  "base.visit.note": "走访情况", "me.title": "我的", "me.user": "账号", "me.unit": "单位",
  "notices": "提醒", "notices.title": "我的提醒", "notices.empty": "暂无提醒",
  "notices.cached": "离线：显示上次同步的提醒", "notices.online": "联网后可查看提醒",
  "notice.arrived": "新到案件", "notice.near_limit": "即将超时", "notice.overdue": "已超时",
  "notice.supervised": "被督办", "notice.supervision_due": "督办将到期", "notice.supervision_overdue": "督办已超期",
  "notice.supervision_escalated": "督办升级",
  "err": "出错了：{e}",
};
const en = {
  "app.name": "Grid Field", "nav.todo": "To-do", "nav.new": "Report", "nav.base": "Base data", "nav.me": "Me",
  "net.online": "Online", "net.offline": "Offline", "outbox": "Waiting",
  "login.title": "Sign in", "login.user": "Username", "login.pass": "Password", "login.submit": "Sign in",
  "login.offline": "You are offline; sign in when the network is back.", "logout": "Sign out",
  "logout.confirm": "Some items are not sent yet; signing out deletes them. Sign out?",
  "todo.title": "My to-do", "todo.empty": "Nothing to do", "todo.cached": "Offline: showing the last synced to-do",
  "task.accept": "Accept", "task.sign": "Sign", "task.handle": "Handle", "task.verify": "Verify",
  "new.title": "Report a case", "new.category": "Category", "new.desc": "Description", "new.address": "Address",
  "new.grid": "Grid", "new.photos": "Photos", "new.audio": "Voice", "new.video": "Short video",
  "new.gps": "Use my location", "new.map": "Pick on the map", "new.submit": "Submit", "new.saved": "Saved; it is sent when online",
  "new.accuracy": "accuracy about {m} m", "new.nogps": "No location: {e}", "new.picked": "Point picked",
  "new.nocats": "Categories not synced yet; open the app once online", "choose": "Choose",
  "case.title": "Case", "case.note": "Note", "case.photos": "Photos", "case.pass": "Verified", "case.fail": "Not resolved",
  "act.sign": "Sign", "act.feedback": "Report result", "act.verify": "Verify", "act.return": "Return",
  "act.report": "Report", "act.escalate": "Escalate", "act.queued": "Added to the outbox",
  "outbox.title": "Waiting to send", "outbox.empty": "Everything is sent", "outbox.waiting": "waiting", "outbox.failed": "failed",
  "outbox.retry": "Edit and retry", "outbox.discard": "Discard", "outbox.sync": "Send now", "outbox.files": "{n} file(s)",
  "kind.case": "New case", "kind.transition": "Case action", "kind.visit": "Visit", "kind.verify": "Verification",
  "base.title": "Base data of my grid", "base.people": "People", "base.houses": "Houses", "base.orgs": "Organisations",
  "base.name": "Name (prefix)", "base.id": "ID number", "base.search": "Search", "base.none": "No results",
  "base.online": "Base data needs the network", "base.verify": "Verified", "base.visit": "Record a visit",
  "base.visit.note": "Visit notes", "me.title": "Me", "me.user": "Account", "me.unit": "Unit",
  "notices": "Notices", "notices.title": "My notices", "notices.empty": "No notices",
  "notices.cached": "Offline: showing the last synced notices", "notices.online": "Notices need the network once",
  "notice.arrived": "New case", "notice.near_limit": "Near its limit", "notice.overdue": "Overdue",
  "notice.supervised": "Supervised", "notice.supervision_due": "Supervision due", "notice.supervision_overdue": "Supervision overdue",
  "notice.supervision_escalated": "Supervision escalated",
  "err": "Error: {e}",
};

let lang = (typeof localStorage !== "undefined" && localStorage.getItem("lang")) || "zh";

/** t returns the message for key in the current language, filling {vars}. */
export function t(key, vars = {}) {
  const s = (lang === "en" ? en : zh)[key] || zh[key] || key;
  return s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ""));
}

/** getLang returns "zh" or "en". */
export const getLang = () => lang;

/** setLang switches the language and remembers it. */
export function setLang(l) {
  lang = l === "en" ? "en" : "zh";
  localStorage.setItem("lang", lang);
  document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
}
