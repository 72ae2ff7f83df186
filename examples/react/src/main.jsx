// React 19 binds custom elements natively: a prop whose name the element has
// as a property (sigma, hideControls) is set as that property, and
// `on<event>` adds a listener for <event> ("ontrackready" → "trackready").
// The element must be defined before React renders it, hence this import first.
import 'blur-camera';
import { useEffect, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createLoopback, sendTrack } from '../../shared/loopback.js';

function App() {
  const [sigma, setSigma] = useState(8);
  const [peerState, setPeerState] = useState('new');
  const local = useRef(null); // <video> playing the element's .stream
  const remote = useRef(null); // <video> playing what the peer receives
  const call = useRef(null);

  useEffect(() => {
    call.current = createLoopback({
      onRemoteStream: (stream) => (remote.current.srcObject = stream),
      onStateChange: setPeerState,
    });
    return () => call.current.close();
  }, []);

  // A native CustomEvent (not a React synthetic event): the target is the <blur-camera>.
  function onTrackReady(event) {
    const { track, stream } = event.detail;
    local.current.srcObject = event.target.stream; // the same MediaStream as detail.stream
    sendTrack(call.current.sender, track, stream);
  }

  return (
    <>
      <blur-camera sigma={sigma} hideControls={true} ontrackready={onTrackReady}></blur-camera>
      <label>
        Blur strength
        <input type="range" min="2" max="32" value={sigma} onChange={(e) => setSigma(Number(e.target.value))} />
      </label>
      <div className="videos">
        <video ref={local} autoPlay muted playsInline aria-label="Blurred camera (.stream)" />
        <video ref={remote} autoPlay muted playsInline aria-label="What the peer receives" />
      </div>
      <p>
        Peer connection: <output id="peer-state">{peerState}</output>
      </p>
    </>
  );
}

createRoot(document.getElementById('root')).render(<App />);
