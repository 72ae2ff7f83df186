/**
 * Two RTCPeerConnections in one page, standing in for a real call: whatever
 * is added to `sender` arrives at `receiver`. In an app, `sender` is your
 * call's connection and the offer/answer/candidates go through your
 * signalling server instead of straight across.
 */
export function createLoopback({ onRemoteStream, onStateChange }) {
  const sender = new RTCPeerConnection();
  const receiver = new RTCPeerConnection();
  sender.onicecandidate = (e) => e.candidate && receiver.addIceCandidate(e.candidate);
  receiver.onicecandidate = (e) => e.candidate && sender.addIceCandidate(e.candidate);
  receiver.ontrack = (e) => onRemoteStream(e.streams[0]);
  sender.onconnectionstatechange = () => onStateChange(sender.connectionState);
  sender.onnegotiationneeded = async () => {
    await sender.setLocalDescription();
    await receiver.setRemoteDescription(sender.localDescription);
    await receiver.setLocalDescription();
    await sender.setRemoteDescription(receiver.localDescription);
  };
  return {
    sender,
    close() {
      sender.close();
      receiver.close();
    },
  };
}

/**
 * Sends the blurred track on `pc`: the first time with addTrack, afterwards
 * (the element restarted its camera and fired trackready again) by swapping
 * the track on the same sender, which needs no renegotiation.
 */
export function sendTrack(pc, track, stream) {
  const [existing] = pc.getSenders();
  if (existing) existing.replaceTrack(track);
  else pc.addTrack(track, stream);
}
