/* Solidarity Atlas: the co-signature network, drawn on a canvas with a small force-directed layout.
 *
 * Reads the graph from the URL in the canvas's data-source attribute (/api/v1/network), lays it out
 * (repulsion between every two organisations, springs along the links, a pull to the centre), colours
 * organisations by community and opens an organisation's page when its dot is clicked.  Names are drawn
 * on the canvas or written with textContent: nothing from the data becomes markup.
 */
(function () {
  "use strict";

  var canvas = document.getElementById("network-canvas");
  var status = document.getElementById("network-status");
  if (!canvas || !canvas.getContext || !window.fetch) {
    return;
  }
  var context = canvas.getContext("2d");

  // The same twelve colours as .c0 to .c11 in style.css.
  var COLOURS = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
                 "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939"];
  var TICKS = 400;            // layout steps in all; the layout cools down to rest over them
  var TICKS_PER_FRAME = 4;    // steps between two drawings: smooth, yet quick to settle
  var REPULSION = 900;        // how strongly two organisations push apart
  var SPRING = 0.02;          // how strongly a link pulls its two ends together
  var SPRING_LENGTH = 40;     // the rest length of a link
  var GRAVITY = 0.01;         // the pull to the centre that keeps unlinked groups in view
  var DAMPING = 0.85;         // velocity kept from one step to the next
  var LABELS = 12;            // names always written: those of the best-connected organisations
  var PADDING = 30;           // pixels kept free around the drawing
  var CLICK_SLOP = 4;         // pixels a pointer may move between press and release and still be a click

  var nodes = [];
  var edges = [];
  var byId = {};
  var tick = 0;
  var hovered = null;
  var dragged = null;
  var pressedAt = null;
  var view = { scale: 1, dx: 0, dy: 0 };
  var maxWeight = 1;

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function radius(node) {
    return Math.min(4 + 2 * Math.sqrt(node.statements), 18);
  }

  function colour(node) {
    return COLOURS[node.community % COLOURS.length];
  }

  function load(graph) {
    var golden = Math.PI * (3 - Math.sqrt(5));
    nodes = graph.nodes.map(function (n, i) {
      // A sunflower spiral: an even, deterministic start, so the same data gives the same picture.
      var r = 10 * Math.sqrt(i + 1);
      return { id: n.id, name: n.name, country: n.country, statements: n.statements, weight: n.cosignatures,
               community: n.community, x: r * Math.cos(i * golden), y: r * Math.sin(i * golden),
               vx: 0, vy: 0, fixed: false };
    });
    byId = {};
    nodes.forEach(function (n) { byId[n.id] = n; });
    edges = graph.edges.filter(function (e) { return byId[e.source] && byId[e.target]; }).map(function (e) {
      return { a: byId[e.source], b: byId[e.target], weight: e.weight };
    });
    maxWeight = edges.reduce(function (m, e) { return Math.max(m, e.weight); }, 1);
    var labelled = nodes.slice().sort(function (a, b) { return b.weight - a.weight; }).slice(0, LABELS);
    labelled.forEach(function (n) { n.labelled = true; });
    say(nodes.length + " organisations and " + edges.length + " links drawn.");
  }

  function step() {
    var cooling = 1 - tick / TICKS;
    var i, j, a, b, dx, dy, d2, d, f;
    for (i = 0; i < nodes.length; i++) {
      a = nodes[i];
      for (j = i + 1; j < nodes.length; j++) {
        b = nodes[j];
        dx = a.x - b.x;
        dy = a.y - b.y;
        d2 = dx * dx + dy * dy + 0.01;
        f = REPULSION / d2;
        d = Math.sqrt(d2);
        a.vx += f * dx / d; a.vy += f * dy / d;
        b.vx -= f * dx / d; b.vy -= f * dy / d;
      }
    }
    edges.forEach(function (e) {
      dx = e.b.x - e.a.x;
      dy = e.b.y - e.a.y;
      d = Math.sqrt(dx * dx + dy * dy) + 0.01;
      f = SPRING * (d - SPRING_LENGTH) * (0.5 + e.weight / maxWeight);
      e.a.vx += f * dx / d; e.a.vy += f * dy / d;
      e.b.vx -= f * dx / d; e.b.vy -= f * dy / d;
    });
    nodes.forEach(function (n) {
      n.vx = (n.vx - GRAVITY * n.x) * DAMPING;
      n.vy = (n.vy - GRAVITY * n.y) * DAMPING;
      if (!n.fixed) {
        n.x += n.vx * cooling;
        n.y += n.vy * cooling;
      }
    });
    tick++;
  }

  function fit() {
    if (!nodes.length || dragged) {
      return;  // the view stays put while a dot is dragged, so it does not slide under the pointer
    }
    var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    nodes.forEach(function (n) {
      minX = Math.min(minX, n.x); maxX = Math.max(maxX, n.x);
      minY = Math.min(minY, n.y); maxY = Math.max(maxY, n.y);
    });
    var width = Math.max(maxX - minX, 1), height = Math.max(maxY - minY, 1);
    view.scale = Math.min((canvas.width - 2 * PADDING) / width, (canvas.height - 2 * PADDING) / height, 3);
    view.dx = canvas.width / 2 - view.scale * (minX + maxX) / 2;
    view.dy = canvas.height / 2 - view.scale * (minY + maxY) / 2;
  }

  function screen(n) {
    return { x: n.x * view.scale + view.dx, y: n.y * view.scale + view.dy };
  }

  function draw() {
    context.clearRect(0, 0, canvas.width, canvas.height);
    context.lineCap = "round";
    edges.forEach(function (e) {
      var p = screen(e.a), q = screen(e.b);
      var lit = hovered && (e.a === hovered || e.b === hovered);
      context.strokeStyle = lit ? "rgba(161, 29, 29, 0.8)" : "rgba(120, 120, 120, 0.25)";
      context.lineWidth = 0.5 + 3 * e.weight / maxWeight;
      context.beginPath();
      context.moveTo(p.x, p.y);
      context.lineTo(q.x, q.y);
      context.stroke();
    });
    nodes.forEach(function (n) {
      var p = screen(n);
      context.beginPath();
      context.arc(p.x, p.y, radius(n), 0, 2 * Math.PI);
      context.fillStyle = colour(n);
      context.fill();
      context.lineWidth = n === hovered ? 3 : 1;
      context.strokeStyle = n === hovered ? "#1d1d1f" : "#ffffff";
      context.stroke();
    });
    context.font = "12px system-ui, sans-serif";
    context.textBaseline = "middle";
    nodes.forEach(function (n) {
      if (n.labelled || n === hovered) {
        var p = screen(n);
        var text = n === hovered ? n.name + " (" + n.statements + ")" : n.name;
        context.lineWidth = 3;
        context.strokeStyle = "rgba(255, 255, 255, 0.9)";
        context.strokeText(text, p.x + radius(n) + 3, p.y);
        context.fillStyle = "#1d1d1f";
        context.fillText(text, p.x + radius(n) + 3, p.y);
      }
    });
  }

  function frame() {
    for (var i = 0; i < TICKS_PER_FRAME && tick < TICKS; i++) {
      step();
    }
    fit();
    draw();
    if (tick < TICKS) {
      window.requestAnimationFrame(frame);
    }
  }

  function restart() {
    if (tick >= TICKS) {
      tick = Math.floor(TICKS * 0.7);  // warm again, a little: the rest moves to make room
      window.requestAnimationFrame(frame);
    }
  }

  function pointer(event) {
    var box = canvas.getBoundingClientRect();
    return { x: (event.clientX - box.left) * canvas.width / box.width,
             y: (event.clientY - box.top) * canvas.height / box.height };
  }

  function nodeAt(point) {
    var best = null, bestDistance = Infinity;
    nodes.forEach(function (n) {
      var p = screen(n);
      var d = Math.hypot(p.x - point.x, p.y - point.y);
      if (d <= radius(n) + 3 && d < bestDistance) {
        best = n;
        bestDistance = d;
      }
    });
    return best;
  }

  canvas.addEventListener("pointermove", function (event) {
    var point = pointer(event);
    if (dragged) {
      dragged.x = (point.x - view.dx) / view.scale;
      dragged.y = (point.y - view.dy) / view.scale;
      draw();
      return;
    }
    var found = nodeAt(point);
    if (found !== hovered) {
      hovered = found;
      canvas.classList.toggle("pointing", !!found);
      if (found) {
        say(found.name + (found.country ? ", " + found.country : "") + ": " + found.statements +
            " statements. Click to open.");
      }
      draw();
    }
  });

  canvas.addEventListener("pointerdown", function (event) {
    var point = pointer(event);
    pressedAt = point;
    dragged = nodeAt(point);
    if (dragged) {
      dragged.fixed = true;
      canvas.setPointerCapture(event.pointerId);
    }
  });

  canvas.addEventListener("pointerup", function (event) {
    var point = pointer(event);
    var node = dragged;
    dragged = null;
    if (!node) {
      return;
    }
    node.fixed = false;
    if (pressedAt && Math.hypot(point.x - pressedAt.x, point.y - pressedAt.y) <= CLICK_SLOP) {
      window.location.href = "/organizations/" + encodeURIComponent(node.id);
      return;
    }
    restart();
  });

  canvas.addEventListener("pointerleave", function () {
    if (!dragged && hovered) {
      hovered = null;
      canvas.classList.remove("pointing");
      draw();
    }
  });

  say("Loading the network…");
  window.fetch(canvas.getAttribute("data-source"), { headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("the server answered " + response.status);
      }
      return response.json();
    })
    .then(function (graph) {
      load(graph);
      if (!nodes.length) {
        say("No organisations to draw.");
        return;
      }
      window.requestAnimationFrame(frame);
    })
    .catch(function (error) {
      say("The network could not be drawn (" + error.message + "); the tables below list it.");
    });
})();
