//! syncgram
