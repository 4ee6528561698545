// DeepImpression demo page: plain JavaScript, no framework, nothing loaded from elsewhere.
// Flow: welcome -> camera preview -> countdown -> recording -> sending/analysing -> result (or error).
// The API contracts are in Serving/ApiContracts.cs.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const steps = ['step-welcome', 'step-camera', 'step-working', 'step-result', 'step-error'];
  const countdownSeconds = 3;

  const state = {
    health: null,
    stream: null,
    recorder: null,
    timers: [],
    lastClip: null,
    resultClip: null,
    explainRequest: null,
    explainTimer: null,
  };

  // ---- small helpers -------------------------------------------------------------------------

  function announce(text) {
    const status = $('status');
    status.textContent = '';
    // A fresh text node makes screen readers announce the same words twice in a row too.
    window.setTimeout(() => { status.textContent = text; }, 30);
  }

  function show(stepId) {
    for (const id of steps) $(id).hidden = id !== stepId;
    const heading = $(stepId).querySelector('h2');
    if (heading) heading.focus();
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function clearTimers() {
    for (const t of state.timers) window.clearInterval(t);
    state.timers = [];
  }

  function stopCamera() {
    if (state.stream) for (const track of state.stream.getTracks()) track.stop();
    state.stream = null;
    $('preview').srcObject = null;
  }

  function recordingSeconds() {
    return state.health ? state.health.limits.recordingSeconds : 15;
  }

  function formatSeconds(s) {
    return Number.isInteger(s) ? String(s) : s.toFixed(1);
  }

  // ---- start: what the server allows ---------------------------------------------------------

  async function loadHealth() {
    try {
      const response = await fetch('/api/health', { cache: 'no-store' });
      if (!response.ok) return;
      state.health = await response.json();
    } catch {
      return;
    }
    const limits = state.health.limits;
    for (const node of document.querySelectorAll('.js-record-seconds')) node.textContent = formatSeconds(limits.recordingSeconds);
    for (const node of document.querySelectorAll('.js-notice')) node.textContent = state.health.notice;
    $('rec-progress').setAttribute('aria-valuemax', String(limits.recordingSeconds));
    $('limits-hint').textContent =
      `Videos up to ${Math.floor(limits.maxUploadBytes / 1e6)} MB and ${formatSeconds(limits.maxMediaSeconds)} seconds, ` +
      `with sound, at least ${formatSeconds(Math.ceil(limits.minMediaSeconds))} seconds long.`;
    if (state.health.uploadsKept) {
      $('privacy-note').textContent = 'Note: this server is set to keep the clips it receives (--keep-uploads).';
    }
  }

  // ---- camera and recording ------------------------------------------------------------------

  async function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.MediaRecorder) {
      fail('This browser cannot record here (the camera needs a secure page: https, or localhost). You can upload a video instead.', false);
      return;
    }
    try {
      state.stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'user' },
        audio: true,
      });
    } catch (error) {
      const name = error && error.name;
      const message = name === 'NotAllowedError'
        ? 'The camera or microphone was not allowed. You can allow them in the address bar and try again, or upload a video instead.'
        : name === 'NotFoundError'
          ? 'No camera or microphone was found. You can upload a video instead.'
          : `The camera could not start (${name || 'unknown error'}). You can upload a video instead.`;
      fail(message, false);
      return;
    }
    $('preview').srcObject = state.stream;
    $('record').hidden = false;
    $('record').disabled = false;
    $('stop').hidden = true;
    $('rec-progress').hidden = true;
    $('rec-time').hidden = true;
    $('prompt').replaceChildren('Sit where your face is well lit, look at the camera, and press ', el('strong', '', 'Record'), ' when you are ready.');
    show('step-camera');
    announce('Camera on. Press Record when you are ready.');
  }

  function pickMimeType() {
    const candidates = ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp9,opus', 'video/webm', 'video/mp4'];
    return candidates.find((type) => MediaRecorder.isTypeSupported(type)) || '';
  }

  const prompts = [
    'Say hello, and tell us your name.',
    'What do you do, or what are you studying?',
    'What do you enjoy doing in your free time?',
    'What would your friends say about you?',
  ];

  function countdownThenRecord() {
    $('record').disabled = true;
    $('camera-back').disabled = true;
    const box = $('countdown');
    let left = countdownSeconds;
    box.hidden = false;
    box.textContent = String(left);
    announce(`Recording starts in ${left}`);
    const timer = window.setInterval(() => {
      left -= 1;
      if (left > 0) {
        box.textContent = String(left);
        announce(String(left));
        return;
      }
      window.clearInterval(timer);
      box.hidden = true;
      record();
    }, 1000);
    state.timers.push(timer);
  }

  function record() {
    const seconds = recordingSeconds();
    const minimum = state.health ? Math.ceil(state.health.limits.minMediaSeconds) + 1 : 4;
    const mimeType = pickMimeType();
    const chunks = [];
    let recorder;
    try {
      recorder = new MediaRecorder(state.stream, mimeType ? { mimeType } : undefined);
    } catch (error) {
      fail(`This browser cannot record video (${error.name}). You can upload a video instead.`, false);
      return;
    }
    state.recorder = recorder;
    recorder.ondataavailable = (event) => { if (event.data && event.data.size > 0) chunks.push(event.data); };
    recorder.onstop = () => {
      clearTimers();
      $('rec-badge').hidden = true;
      const type = recorder.mimeType || mimeType || 'video/webm';
      const clip = new Blob(chunks, { type });
      const extension = type.includes('mp4') ? 'mp4' : 'webm';
      stopCamera();
      send(clip, `recording.${extension}`);
    };

    const started = performance.now();
    recorder.start(1000);
    $('rec-badge').hidden = false;
    $('record').hidden = true;
    $('stop').hidden = false;
    $('stop').disabled = true;
    $('camera-back').disabled = false;
    $('rec-progress').hidden = false;
    $('rec-time').hidden = false;
    announce(`Recording for ${formatSeconds(seconds)} seconds. ${prompts[0]}`);

    let promptIndex = -1;
    const tick = window.setInterval(() => {
      const elapsed = (performance.now() - started) / 1000;
      const done = Math.min(elapsed, seconds);
      $('rec-bar').style.width = `${(100 * done) / seconds}%`;
      $('rec-progress').setAttribute('aria-valuenow', done.toFixed(0));
      $('rec-time').textContent = `${Math.ceil(seconds - done)} s left`;
      const wanted = Math.min(prompts.length - 1, Math.floor((elapsed / seconds) * prompts.length));
      if (wanted !== promptIndex) {
        promptIndex = wanted;
        $('prompt').textContent = prompts[wanted];
      }
      if (elapsed >= minimum) $('stop').disabled = false;
      if (elapsed >= seconds && recorder.state === 'recording') recorder.stop();
    }, 200);
    state.timers.push(tick);
  }

  function stopEarly() {
    if (state.recorder && state.recorder.state === 'recording') state.recorder.stop();
  }

  function cancelCamera() {
    clearTimers();
    if (state.recorder && state.recorder.state === 'recording') {
      state.recorder.onstop = null;
      state.recorder.stop();
    }
    state.recorder = null;
    $('countdown').hidden = true;
    $('rec-badge').hidden = true;
    $('camera-back').disabled = false;
    stopCamera();
    show('step-welcome');
  }

  // ---- upload --------------------------------------------------------------------------------

  function uploadChosen() {
    const input = $('upload-input');
    const file = input.files && input.files[0];
    input.value = '';
    if (!file) return;
    if (state.health && file.size > state.health.limits.maxUploadBytes) {
      fail(`This file is ${(file.size / 1e6).toFixed(1)} MB; the limit is ${Math.floor(state.health.limits.maxUploadBytes / 1e6)} MB. Choose a shorter clip.`, false);
      return;
    }
    send(file, file.name || 'upload');
  }

  function send(clip, name) {
    state.lastClip = { clip, name };
    $('send-bar').style.width = '0%';
    $('send-progress').setAttribute('aria-valuenow', '0');
    $('working-detail').textContent = 'Sending your clip…';
    show('step-working');
    announce('Sending your clip.');

    const form = new FormData();
    form.append('video', clip, name);
    const request = new XMLHttpRequest();
    request.open('POST', '/api/analyze');
    request.responseType = 'json';
    request.upload.onprogress = (event) => {
      if (!event.lengthComputable) return;
      const percent = Math.round((100 * event.loaded) / event.total);
      $('send-bar').style.width = `${percent}%`;
      $('send-progress').setAttribute('aria-valuenow', String(percent));
      $('working-detail').textContent = `Sending your clip… ${percent} %`;
    };
    request.upload.onload = () => {
      $('send-bar').style.width = '100%';
      $('send-progress').setAttribute('aria-valuenow', '100');
      $('working-detail').textContent = 'The network is watching and listening to your clip…';
      announce('Clip sent. The network is analysing it.');
    };
    request.onload = () => {
      const body = request.response;
      if (request.status === 200 && body && body.traits) {
        showResult(body);
        return;
      }
      let message = body && body.error ? body.error : `The server answered ${request.status}.`;
      const retry = request.getResponseHeader('Retry-After');
      if (request.status === 503 && retry) message += ` (Try again in about ${retry} s.)`;
      fail(message, request.status === 503 || request.status >= 500);
    };
    request.onerror = () => fail('The server could not be reached. Is it still running?', true);
    request.send(form);
  }

  // ---- result --------------------------------------------------------------------------------

  function leaning(trait, score) {
    if (score >= 0.6) return `leans toward ${trait.high}`;
    if (score <= 0.4) return `leans toward ${trait.low}`;
    return `in between ${trait.low} and ${trait.high}`;
  }

  function traitItem(trait) {
    const item = el('li', 'trait');
    const head = el('div', 'trait-head');
    head.append(el('span', 'trait-name', trait.name), el('span', 'trait-value', trait.score.toFixed(2)));
    const meter = el('div', 'meter');
    meter.setAttribute('role', 'meter');
    meter.setAttribute('aria-label', trait.name);
    meter.setAttribute('aria-valuemin', '0');
    meter.setAttribute('aria-valuemax', '1');
    meter.setAttribute('aria-valuenow', trait.score.toFixed(2));
    meter.setAttribute('aria-valuetext', `${trait.score.toFixed(2)} of 1: ${leaning(trait, trait.score)}`);
    const fill = el('div', 'meter-fill');
    fill.style.width = `${(100 * Math.min(1, Math.max(0, trait.score))).toFixed(1)}%`;
    meter.append(fill);
    const poles = el('div', 'poles');
    poles.setAttribute('aria-hidden', 'true');
    poles.append(el('span', '', trait.low), el('span', '', trait.high));
    item.append(head, meter, poles);
    return item;
  }

  function miniBar(kind, value) {
    const bar = el('div', `mini ${kind}`);
    const fill = el('div');
    fill.style.width = `${(100 * Math.min(1, Math.max(0, value))).toFixed(1)}%`;
    bar.append(fill);
    return bar;
  }

  function matchCard(match, traits, kindWord) {
    const card = el('article', 'match');
    const title = el('h4', '', match.name);
    if (match.illustrative) title.append(el('span', 'badge', kindWord === 'person' ? 'fictional example' : 'illustrative'));
    card.append(title, el('p', 'meta', `distance ${match.distance.toFixed(2)}`));

    const legend = el('div', 'legend');
    legend.setAttribute('aria-hidden', 'true');
    legend.append(el('span', 'you', 'You'), el('span', 'other', match.name));
    card.append(legend);

    const table = el('table', 'compare');
    const caption = el('caption', 'visually-hidden', `Your trait levels beside ${match.name}`);
    table.append(caption);
    const body = el('tbody');
    for (const trait of traits) {
      const row = el('tr');
      const label = el('th', '', trait.name);
      label.setAttribute('scope', 'row');
      const cell = el('td');
      const other = match.scores[trait.key];
      const pair = el('div', 'pair');
      pair.append(miniBar('you', trait.score), miniBar('other', other));
      const text = el('span', 'visually-hidden', `you ${trait.score.toFixed(2)}, ${match.name} ${other.toFixed(2)}`);
      cell.append(pair, text);
      row.append(label, cell);
      body.append(row);
    }
    table.append(body);
    card.append(table);
    return card;
  }

  function fillMatches(containerId, matches, traits, kindWord) {
    const container = $(containerId);
    container.replaceChildren();
    if (!matches.length) {
      container.append(el('p', 'hint', `No ${kindWord === 'person' ? 'reference people' : 'job profiles'} are set up on this server.`));
      return;
    }
    for (const match of matches) container.append(matchCard(match, traits, kindWord));
  }

  function showResult(result) {
    // The clip stays in the page (never on the server) in case the user asks what drove the result.
    state.resultClip = state.lastClip;
    state.lastClip = null;
    for (const node of document.querySelectorAll('.js-notice')) node.textContent = result.notice;
    const list = $('traits');
    list.replaceChildren(...result.traits.map(traitItem));
    fillMatches('jobs', result.closestJobs, result.traits, 'job');
    fillMatches('people', result.closestPeople, result.traits, 'person');

    // "What drove this?": offered when the server computes occlusion maps; computed only when asked for.
    const canExplain = Boolean(state.health && state.health.capabilities && state.health.capabilities.occlusion && state.resultClip);
    cancelExplain();
    $('explain').hidden = !canExplain;
    $('explain-body').hidden = true;
    $('explain-toggle').setAttribute('aria-expanded', 'false');
    $('explain-status').textContent = '';
    $('explain-image').hidden = true;
    $('explain-image').removeAttribute('src');
    $('explain-caption').textContent = '';

    const t = result.timings;
    $('timings').textContent =
      `${result.media.seconds.toFixed(1)} s of video analysed in ${(t.predictMs / 1000).toFixed(1)} s ` +
      `(${(t.totalMs / 1000).toFixed(1)} s with sending and waiting). Request ${result.requestId}.`;
    show('step-result');
    const summary = result.traits.map((trait) => `${trait.name} ${trait.score.toFixed(2)}`).join(', ');
    announce(`Result ready. ${summary}.`);
  }

  function toggleExplain() {
    const body = $('explain-body');
    body.hidden = !body.hidden;
    $('explain-toggle').setAttribute('aria-expanded', String(!body.hidden));
    if (!body.hidden && !$('explain-image').getAttribute('src') && !state.explainRequest) requestExplanation();
  }

  function requestExplanation() {
    const clip = state.resultClip;
    if (!clip) return;
    const started = Date.now();
    const status = $('explain-status');
    status.textContent = 'Covering one patch at a time and predicting again…';
    state.explainTimer = setInterval(() => {
      status.textContent = `Covering one patch at a time and predicting again… ${Math.round((Date.now() - started) / 1000)} s`;
    }, 1000);

    const form = new FormData();
    form.append('video', clip.clip, clip.name);
    const request = new XMLHttpRequest();
    state.explainRequest = request;
    request.open('POST', '/api/occlusion');
    request.responseType = 'json';
    request.onload = () => {
      const body = request.response;
      finishExplain();
      if (request.status === 200 && body && body.imageUrl) {
        $('explain-image').src = body.imageUrl;
        $('explain-image').alt = body.caption;
        $('explain-image').hidden = false;
        $('explain-caption').textContent = body.caption;
        status.textContent = `Done: ${body.masks} covered versions of the frame in ${(body.timings.predictMs / 1000).toFixed(0)} s.`;
        return;
      }
      let message = body && body.error ? body.error : `The server answered ${request.status}.`;
      const retry = request.getResponseHeader('Retry-After');
      if (request.status === 503 && retry) message += ` Try again in about ${retry} s.`;
      status.textContent = message;
    };
    request.onerror = () => {
      finishExplain();
      status.textContent = 'The server could not be reached. Is it still running?';
    };
    request.send(form);
  }

  function finishExplain() {
    clearInterval(state.explainTimer);
    state.explainTimer = null;
    state.explainRequest = null;
  }

  function cancelExplain() {
    if (state.explainRequest) state.explainRequest.abort();
    finishExplain();
  }

  // ---- errors and restart --------------------------------------------------------------------

  function fail(message, canResend) {
    clearTimers();
    stopCamera();
    $('error-message').textContent = message;
    $('error-resend').hidden = !(canResend && state.lastClip);
    show('step-error');
  }

  function startOver() {
    clearTimers();
    stopCamera();
    cancelExplain();
    state.lastClip = null;
    state.resultClip = null;
    show('step-welcome');
  }

  function resend() {
    if (state.lastClip) send(state.lastClip.clip, state.lastClip.name);
  }

  // ---- wiring ---------------------------------------------------------------------------------

  $('start-camera').addEventListener('click', startCamera);
  $('record').addEventListener('click', countdownThenRecord);
  $('stop').addEventListener('click', stopEarly);
  $('camera-back').addEventListener('click', cancelCamera);
  $('upload-input').addEventListener('change', uploadChosen);
  $('again').addEventListener('click', startOver);
  $('error-again').addEventListener('click', startOver);
  $('error-resend').addEventListener('click', resend);
  $('explain-toggle').addEventListener('click', toggleExplain);
  loadHealth();
})();
