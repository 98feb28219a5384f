// The console's one script: draws the timeliness chart from the figures the page carries in
// its canvas's data-chart attribute (the table on the page holds the same figures as text).
'use strict';

document.addEventListener('DOMContentLoaded', () => {
  const canvas = document.getElementById('timeliness-chart');
  if (!canvas || typeof Chart === 'undefined') return;
  const data = JSON.parse(canvas.dataset.chart || '{"labels":[]}');
  const late = 'rgb(190, 30, 45)';
  const onTime = 'rgb(31, 119, 180)';
  const pending = 'rgb(140, 140, 140)';
  new Chart(canvas, {
    data: {
      labels: data.labels,
      datasets: [
        {
          type: 'bar',
          label: 'Seconds to sessions ended',
          data: data.seconds,
          backgroundColor: data.withinSla.map((w) => (w === false ? late : w === true ? onTime : pending)),
          order: 2,
        },
        {
          type: 'line',
          label: 'SLA (seconds)',
          data: data.sla,
          borderColor: late,
          borderDash: [6, 4],
          pointRadius: 0,
          stepped: 'middle',
          fill: false,
          order: 1,
        },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: {
        x: { title: { display: true, text: 'Leaver' } },
        y: { beginAtZero: true, title: { display: true, text: 'Seconds after the clock started' } },
      },
      plugins: { legend: { position: 'bottom' } },
    },
  });
  canvas.dataset.drawn = 'true';
});
